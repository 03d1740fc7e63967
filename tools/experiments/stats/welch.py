"""Welch's t-test for per-unit mean metrics and proportions, from sufficient statistics."""

from __future__ import annotations

from tools.experiments.stats.estimate import ArmStatistic, EffectEstimate, contrast
from tools.experiments.stats.sufficient import MeanStats
from tools.experiments.stats.vectors import unit_vector


def mean_statistic(stats: MeanStats) -> ArmStatistic:
    """The arm's sample mean as a (trivially linear) statistic of its moments."""
    m = stats.moments()
    return ArmStatistic(
        moments=m,
        value=float(m.mean[0]),
        grad=unit_vector(1, 0),
        centred_value=None if m.centred is None else float(m.centred[0]),
        shift_value=0.0 if m.shift is None else float(m.shift[0]),
    )


def compare_means(
    control: MeanStats, treatment: MeanStats, *, alpha: float = 0.05
) -> EffectEstimate:
    """Welch t-test of treatment vs control means, with a delta-method relative interval.

    Matches `scipy.stats.ttest_ind(treatment_values, control_values, equal_var=False)` on the
    per-unit values (statistic, df, p-value and the absolute interval). Proportions use the
    same function with `proportion_stats(n, successes)` per arm.
    Raises `ExperimentError` when an arm has fewer than 2 units.
    """
    c, t = mean_statistic(control), mean_statistic(treatment)
    return contrast(c, t, c, alpha=alpha, method="welch", treatment_mean=t.value)
