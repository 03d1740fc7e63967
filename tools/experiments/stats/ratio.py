"""Ratio metrics (Σx / Σy over units, e.g. saves per impression) by the delta method.

The unit of randomisation is the unit (user), not the event, so events of one user are
correlated; the delta method on per-unit numerator and denominator sums accounts for that:
Var(x̄/ȳ) ≈ (Var x/ȳ² − 2 x̄ Cov(x,y)/ȳ³ + x̄² Var y/ȳ⁴) / n.
"""

from __future__ import annotations

from tools.errors import ExperimentError
from tools.experiments.stats.estimate import ArmStatistic, EffectEstimate, contrast
from tools.experiments.stats.moments import Moments
from tools.experiments.stats.sufficient import RatioStats
from tools.experiments.stats.vectors import Vector


def ratio_gradient(moments: Moments, num: int, den: int) -> tuple[float, Vector]:
    """Value and gradient of mean[num] / mean[den] with respect to the mean vector."""
    mx, my = float(moments.mean[num]), float(moments.mean[den])
    if my == 0:
        raise ExperimentError(
            "ratio metric: the denominator sums to 0 in an arm",
            hint="No unit in this arm has any denominator events.",
        )
    g = [0.0] * len(moments.mean)
    g[num] = 1 / my
    g[den] = -mx / my**2
    return mx / my, tuple(g)


def ratio_statistic(stats: RatioStats) -> ArmStatistic:
    m = stats.moments()
    value, grad = ratio_gradient(m, 0, 1)
    return ArmStatistic(moments=m, value=value, grad=grad)


def compare_ratios(
    control: RatioStats, treatment: RatioStats, *, alpha: float = 0.05
) -> EffectEstimate:
    """Compare Σx/Σy between arms: delta-method variances, Welch–Satterthwaite df.

    The df treat each arm's linearised per-unit values (x − R·y)/ȳ as the sample, with n − 1
    degrees of freedom. Raises `ExperimentError` on n < 2 or a zero denominator.
    """
    c, t = ratio_statistic(control), ratio_statistic(treatment)
    return contrast(c, t, c, alpha=alpha, method="ratio_delta", treatment_mean=t.value)
