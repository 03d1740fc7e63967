"""Ratio metrics by the delta method, checked against per-unit linearisation in numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tools.errors import ExperimentError
from tools.experiments.stats.ratio import compare_ratios
from tools.experiments.stats.sufficient import MeanStats, RatioStats
from tools.experiments.stats.welch import compare_means

TOL = 1e-6


def test_known_answer_by_hand() -> None:
    # control units (x, y) = (1,1), (3,1): R = 2, Var x = 2, Var y = 0 → Var R = 2/2 = 1
    # treatment (3,1), (5,1): R = 4, Var R = 1; diff 2, se √2, df = 2²/(1 + 1) = 2
    # relative = 4/2 − 1 = 1, Var = 1/2² + 4²·1/2⁴ = 1.25
    # two-sided p of t = √2 with 2 df is 1 − t/√(t² + 2) = 1 − 1/√2
    est = compare_ratios(
        RatioStats.from_values([1, 3], [1, 1]), RatioStats.from_values([3, 5], [1, 1])
    )
    assert est.abs_effect == pytest.approx(2.0)
    assert est.se == pytest.approx(math.sqrt(2))
    assert est.df == pytest.approx(2.0)
    assert est.rel_se == pytest.approx(math.sqrt(1.25))
    assert est.p_value == pytest.approx(1 - 1 / math.sqrt(2))


def _units(rng: np.random.Generator, n: int, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-user impressions (denominator) and saves (numerator), correlated through users."""
    impressions = rng.poisson(rng.gamma(2.0, 10.0, n)) + 1
    saves = rng.binomial(impressions, rate)
    return saves.astype(float), impressions.astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_linearised_per_unit_delta_method(seed: int) -> None:
    rng = np.random.default_rng(seed)
    xc, yc = _units(rng, 1500, 0.05)
    xt, yt = _units(rng, 1300, 0.055)
    est = compare_ratios(RatioStats.from_values(xc, yc), RatioStats.from_values(xt, yt))

    def linearised(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        r = x.sum() / y.sum()
        z = (x - r * y) / y.mean()  # influence of each unit on the ratio
        return r, z.var(ddof=1) / len(x)

    rc, vc = linearised(xc, yc)
    rt, vt = linearised(xt, yt)
    se = math.sqrt(vc + vt)
    df = (vc + vt) ** 2 / (vc**2 / (len(xc) - 1) + vt**2 / (len(xt) - 1))
    assert est.abs_effect == pytest.approx(rt - rc, rel=TOL)
    assert est.se == pytest.approx(se, rel=TOL)
    assert est.df == pytest.approx(df, rel=TOL)
    assert est.p_value == pytest.approx(2 * stats.t.sf(abs(rt - rc) / se, df), rel=TOL)
    rel_var = vt / rc**2 + rt**2 * vc / rc**4
    assert est.rel_se == pytest.approx(math.sqrt(rel_var), rel=TOL)


def test_constant_denominator_reduces_to_welch_on_the_numerator() -> None:
    rng = np.random.default_rng(9)
    xc, xt = rng.normal(3, 1, 300), rng.normal(3.2, 1, 280)
    ratio = compare_ratios(
        RatioStats.from_values(xc, np.ones(300)), RatioStats.from_values(xt, np.ones(280))
    )
    mean = compare_means(MeanStats.from_values(xc), MeanStats.from_values(xt))
    assert ratio.p_value == pytest.approx(mean.p_value, rel=TOL)
    assert ratio.rel_ci_low == pytest.approx(mean.rel_ci_low, rel=TOL)


def test_zero_denominator_is_a_clear_error() -> None:
    with pytest.raises(ExperimentError, match="denominator"):
        compare_ratios(RatioStats(3, 0, 0, 0, 0, 0), RatioStats.from_values([1, 2], [1, 1]))
