"""Welch t-test from sufficient statistics against scipy on the raw per-unit values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tools.errors import ExperimentError
from tools.experiments.stats.sufficient import MeanStats, proportion_stats
from tools.experiments.stats.welch import compare_means

TOL = 1e-6


def test_known_answer_by_hand() -> None:
    # control 1,2,3,4: mean 2.5, s² = (30 − 100/4)/3 = 5/3, Var(mean) = 5/12
    # treatment 2,4,6,8: mean 5, s² = (120 − 400/4)/3 = 20/3, Var(mean) = 20/12
    # se = sqrt(25/12); t = 2.5/se = sqrt(3)
    # df = (25/12)² / ((5/12)²/3 + (20/12)²/3) = 75/17
    # relative = 5/2.5 − 1 = 1; Var = (20/12)/2.5² + 5²·(5/12)/2.5⁴ = 8/15
    est = compare_means(MeanStats(4, 10, 30), MeanStats(4, 20, 120))
    assert est.abs_effect == pytest.approx(2.5)
    assert est.se == pytest.approx(math.sqrt(25 / 12))
    assert est.statistic == pytest.approx(math.sqrt(3))
    assert est.df == pytest.approx(75 / 17)
    assert est.rel_effect == pytest.approx(1.0)
    assert est.rel_se == pytest.approx(math.sqrt(8 / 15))


@pytest.mark.parametrize(
    ("seed", "n_c", "n_t", "sd_c", "sd_t", "lift"),
    [
        (1, 500, 500, 1.0, 1.0, 0.0),
        (2, 300, 900, 1.0, 3.0, 0.2),
        (3, 50, 40, 5.0, 0.5, 1.0),
        (4, 5000, 4800, 2.0, 2.5, 0.05),
    ],
)
def test_matches_scipy_welch_on_raw_samples(
    seed: int, n_c: int, n_t: int, sd_c: float, sd_t: float, lift: float
) -> None:
    rng = np.random.default_rng(seed)
    c = rng.gamma(2.0, sd_c, n_c)  # skewed, like per-user engagement
    t = rng.gamma(2.0, sd_t, n_t) + lift
    est = compare_means(MeanStats.from_values(c), MeanStats.from_values(t))
    ref = stats.ttest_ind(t, c, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert est.statistic == pytest.approx(ref.statistic, rel=TOL)
    assert est.df == pytest.approx(ref.df, rel=TOL)
    assert est.p_value == pytest.approx(ref.pvalue, rel=TOL, abs=1e-12)
    assert est.abs_ci_low == pytest.approx(ci.low, rel=TOL)
    assert est.abs_ci_high == pytest.approx(ci.high, rel=TOL)


def test_relative_interval_matches_delta_method_on_raw_samples() -> None:
    rng = np.random.default_rng(11)
    c, t = rng.normal(10, 4, 800), rng.normal(10.6, 5, 700)
    est = compare_means(MeanStats.from_values(c), MeanStats.from_values(t))
    mc, mt = c.mean(), t.mean()
    vc, vt = c.var(ddof=1) / len(c), t.var(ddof=1) / len(t)
    rel_se = math.sqrt(vt / mc**2 + mt**2 * vc / mc**4)
    crit = stats.t.ppf(0.975, stats.ttest_ind(t, c, equal_var=False).df)
    assert est.rel_effect == pytest.approx(mt / mc - 1, rel=TOL)
    assert est.rel_ci_low == pytest.approx(mt / mc - 1 - crit * rel_se, rel=TOL)
    assert est.rel_ci_high == pytest.approx(mt / mc - 1 + crit * rel_se, rel=TOL)


def test_proportions_match_welch_on_zero_one_units() -> None:
    rng = np.random.default_rng(5)
    c, t = rng.random(4000) < 0.10, rng.random(4100) < 0.12
    est = compare_means(
        proportion_stats(len(c), int(c.sum())), proportion_stats(len(t), int(t.sum()))
    )
    ref = stats.ttest_ind(t.astype(float), c.astype(float), equal_var=False)
    assert est.p_value == pytest.approx(ref.pvalue, rel=TOL)
    assert est.control_mean == pytest.approx(c.mean())


def test_one_unit_in_an_arm_is_a_clear_error() -> None:
    with pytest.raises(ExperimentError, match="at least 2"):
        compare_means(MeanStats(1, 3.0, 9.0), MeanStats(10, 30.0, 100.0))


def test_constant_arms_give_no_p_value_rather_than_a_false_certainty() -> None:
    est = compare_means(MeanStats(3, 3.0, 3.0), MeanStats(3, 6.0, 12.0))
    assert est.abs_effect == pytest.approx(1.0)
    assert math.isnan(est.p_value)
    assert est.to_dict()["p_value"] is None


def test_zero_control_mean_leaves_relative_effect_undefined() -> None:
    est = compare_means(MeanStats.from_values([-1, 1, 0]), MeanStats.from_values([1, 2, 3]))
    assert math.isnan(est.rel_effect) and math.isnan(est.mde)
    assert est.abs_effect == pytest.approx(2.0)


@pytest.mark.parametrize("alpha", [0.0, 1.0, 5.0])
def test_alpha_outside_zero_one_is_a_clear_error(alpha: float) -> None:
    with pytest.raises(ExperimentError, match="alpha"):
        compare_means(MeanStats(4, 10, 30), MeanStats(4, 20, 120), alpha=alpha)
