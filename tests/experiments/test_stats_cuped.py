"""CUPED: equals ANCOVA on raw rows, reduces variance on correlated data, stays unbiased."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tools.experiments.stats.cuped import compare_cuped, compare_cuped_ratios, pooled_theta
from tools.experiments.stats.ratio import compare_ratios
from tools.experiments.stats.sufficient import CupedRatioStats, CupedStats, MeanStats
from tools.experiments.stats.welch import compare_means

TOL = 1e-6


def _arm(rng: np.random.Generator, n: int, effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Pre-period value and experiment-period value of the same metric, correlated."""
    pre = rng.gamma(2.0, 2.0, n)
    post = 0.8 * pre + rng.normal(0, 1.5, n) + 1.0 + effect
    return post, pre


def test_effect_equals_the_arm_coefficient_of_ancova_on_raw_rows() -> None:
    rng = np.random.default_rng(3)
    yc, xc = _arm(rng, 700, 0.0)
    yt, xt = _arm(rng, 650, 0.3)
    est = compare_cuped(CupedStats.from_values(yc, xc), CupedStats.from_values(yt, xt))
    # y ~ 1 + treatment + pre, by least squares on the unit rows
    design = np.column_stack([np.ones(1350), np.r_[np.zeros(700), np.ones(650)], np.r_[xc, xt]])
    coef = np.linalg.lstsq(design, np.r_[yc, yt], rcond=None)[0]
    assert est.abs_effect == pytest.approx(coef[1], rel=TOL)
    assert est.theta == pytest.approx(coef[2], rel=TOL)
    # standard error from each arm's residual variance, as CUPED defines it
    rc, rt = yc - coef[2] * xc, yt - coef[2] * xt
    var_adj = rc.var(ddof=1) / 700 + rt.var(ddof=1) / 650
    var_raw = yc.var(ddof=1) / 700 + yt.var(ddof=1) / 650
    assert est.se == pytest.approx(math.sqrt(var_adj), rel=TOL)
    assert est.variance_reduction == pytest.approx(1 - var_adj / var_raw, rel=TOL)
    assert est.rel_effect == pytest.approx(coef[1] / yc.mean(), rel=TOL)


def test_theta_zero_is_the_plain_welch_test() -> None:
    rng = np.random.default_rng(4)
    yc, xc = _arm(rng, 300, 0.0)
    yt, xt = _arm(rng, 320, 0.2)
    cuped = compare_cuped(CupedStats.from_values(yc, xc), CupedStats.from_values(yt, xt), theta=0.0)
    welch = compare_means(MeanStats.from_values(yc), MeanStats.from_values(yt))
    for field in ("abs_effect", "se", "df", "p_value", "rel_ci_low", "rel_ci_high"):
        assert getattr(cuped, field) == pytest.approx(getattr(welch, field), rel=TOL)
    assert cuped.variance_reduction == pytest.approx(0.0, abs=1e-12)


def test_unbiased_and_less_variable_over_simulated_experiments() -> None:
    rng = np.random.default_rng(2026)
    sims, n, effect = 1000, 200, 0.25
    pre = rng.gamma(2.0, 2.0, (sims, 2, n))
    post = 0.8 * pre + rng.normal(0, 1.5, (sims, 2, n)) + 1.0
    post[:, 1] += effect
    # sufficient statistics per simulated arm, vectorised; only the statistics loop in Python
    sums = np.stack(
        [post.sum(2), (post**2).sum(2), pre.sum(2), (pre**2).sum(2), (post * pre).sum(2)], axis=-1
    )
    cuped, raw, reported = [], [], []
    for s in range(sims):
        c, t = (CupedStats(n, *map(float, sums[s, arm])) for arm in (0, 1))
        est = compare_cuped(c, t)
        cuped.append(est.abs_effect)
        reported.append(est.variance_reduction)
        raw.append(t.mean - c.mean)
    cuped_arr, raw_arr = np.array(cuped), np.array(raw)
    # unbiased: the mean estimate is within 4 standard errors of the true effect
    assert abs(cuped_arr.mean() - effect) < 4 * cuped_arr.std(ddof=1) / math.sqrt(sims)
    # Var(pre) = 8, Var(post) = 0.64·8 + 2.25 → ρ² = 5.12/7.37 ≈ 0.695 of variance removed
    achieved = 1 - cuped_arr.var(ddof=1) / raw_arr.var(ddof=1)
    assert achieved == pytest.approx(5.12 / 7.37, abs=0.05)
    assert float(np.mean(reported)) == pytest.approx(achieved, abs=0.05)


def test_ratio_cuped_matches_linearised_per_unit_computation() -> None:
    rng = np.random.default_rng(8)

    def arm(n: int, rate: float) -> tuple[np.ndarray, ...]:
        activity = rng.gamma(2.0, 10.0, n)  # the same users are heavy before and during
        py = rng.poisson(activity) + 1.0
        y = rng.poisson(activity) + 1.0
        skill = rng.beta(2, 30, n)  # per-user save propensity, stable over time
        return (
            rng.binomial(y.astype(int), np.clip(skill + rate, 0, 1)).astype(float),
            y,
            rng.binomial(py.astype(int), skill).astype(float),
            py,
        )

    c, t = arm(1200, 0.0), arm(1100, 0.005)
    est = compare_cuped_ratios(CupedRatioStats.from_values(*c), CupedRatioStats.from_values(*t))

    def linearised(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        r = x.sum() / y.sum()
        return r, (x - r * y) / y.mean()

    parts = [(linearised(a[0], a[1]), linearised(a[2], a[3])) for a in (c, t)]
    s_xy = sum((len(zp) - 1) * np.cov(zp, zq)[0, 1] for (_, zp), (_, zq) in parts)
    s_xx = sum((len(zq) - 1) * zq.var(ddof=1) for _, (_, zq) in parts)
    theta = s_xy / s_xx
    (rc, zc), (qc, wc) = parts[0]
    (rt, zt), (qt, wt) = parts[1]
    effect = (rt - rc) - theta * (qt - qc)
    var = (zc - theta * wc).var(ddof=1) / len(zc) + (zt - theta * wt).var(ddof=1) / len(zt)
    assert est.theta == pytest.approx(theta, rel=TOL)
    assert est.abs_effect == pytest.approx(effect, rel=TOL)
    assert est.se == pytest.approx(math.sqrt(var), rel=TOL)
    unadjusted = compare_ratios(
        CupedRatioStats.from_values(*c).unadjusted(), CupedRatioStats.from_values(*t).unadjusted()
    )
    assert est.se < unadjusted.se
    assert est.variance_reduction == pytest.approx(1 - (est.se / unadjusted.se) ** 2, rel=TOL)


def test_no_pre_period_variation_means_no_adjustment() -> None:
    stats = [
        CupedStats.from_values([1.0, 2.0, 4.0], [0.0, 0.0, 0.0]),
        CupedStats.from_values([2.0, 3.0, 7.0], [0.0, 0.0, 0.0]),
    ]
    assert pooled_theta(stats) == 0.0
    assert compare_cuped(*stats).variance_reduction == 0.0
