"""CUPED: variance reduction with the pre-experiment value of the same metric.

Adjusted effect = (Ȳt − Ȳc) − θ·(X̄t − X̄c), X the pre-period value. Randomisation makes
E[X̄t − X̄c] = 0, so the estimate stays unbiased for any fixed θ; the θ that minimises
variance is the regression slope of Y on X. We pool it *within* arms:

    θ = Σ_arms (n−1)·Cov_arm(Y, X) / Σ_arms (n−1)·Var_arm(X)

which is the ANCOVA slope of y ~ arm + x (so the effect equals the arm coefficient of that
regression), and a treatment effect on Y cannot leak into θ. θ is treated as known when
computing the variance (standard CUPED; the error is O(1/n)).

Ratio metrics: the same with the linearised ratio — Y is R = Σx/Σy and X the pre-period
ratio Σpx/Σpy, covariances from the delta method (`compare_cuped_ratios`).
The relative effect divides the adjusted difference by the raw control mean (or ratio).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tools.experiments.stats.estimate import ArmStatistic, EffectEstimate, contrast
from tools.experiments.stats.moments import Moments
from tools.experiments.stats.ratio import ratio_gradient
from tools.experiments.stats.sufficient import CupedRatioStats, CupedStats
from tools.experiments.stats.vectors import Vector, unit_vector


@dataclass(frozen=True)
class _PostPre:
    """An arm's experiment-period statistic and its pre-period twin, linearised."""

    moments: Moments
    post_value: float
    post_grad: Vector
    pre_value: float
    pre_grad: Vector
    # (centred, shift) parts of post and pre for mean metrics (see ArmStatistic)
    parts: tuple[float, float, float, float] | None = None

    def adjusted(self, theta: float) -> ArmStatistic:
        centred, shift = None, 0.0
        if self.parts is not None:
            post_c, post_k, pre_c, pre_k = self.parts
            centred, shift = post_c - theta * pre_c, post_k - theta * pre_k
        return ArmStatistic(
            moments=self.moments,
            value=self.post_value - theta * self.pre_value,
            grad=tuple(p - theta * q for p, q in zip(self.post_grad, self.pre_grad, strict=True)),
            centred_value=centred,
            shift_value=shift,
        )

    def raw(self) -> ArmStatistic:
        centred, shift = (None, 0.0) if self.parts is None else self.parts[:2]
        return ArmStatistic(
            moments=self.moments,
            value=self.post_value,
            grad=self.post_grad,
            centred_value=centred,
            shift_value=shift,
        )


def _linearise(stats: CupedStats | CupedRatioStats) -> _PostPre:
    m = stats.moments()
    if isinstance(stats, CupedStats):
        parts = None
        if m.centred is not None and m.shift is not None:
            parts = (float(m.centred[0]), float(m.shift[0]), float(m.centred[1]), float(m.shift[1]))
        return _PostPre(
            m, float(m.mean[0]), unit_vector(2, 0), float(m.mean[1]), unit_vector(2, 1), parts
        )
    post_value, post_grad = ratio_gradient(m, 0, 1)
    pre_value, pre_grad = ratio_gradient(m, 2, 3)
    return _PostPre(m, post_value, post_grad, pre_value, pre_grad)


def pooled_theta(arms: Sequence[CupedStats] | Sequence[CupedRatioStats]) -> float:
    """θ pooled within the given arms (see module doc); 0 when the pre-period never varies.

    Pass every arm of a multi-arm experiment to use one θ for all comparisons.
    """
    return _pooled_theta([_linearise(a) for a in arms])


def _pooled_theta(arms: Sequence[_PostPre]) -> float:
    cov = sum((a.moments.n - 1) * a.moments.unit_covariance(a.post_grad, a.pre_grad) for a in arms)
    var = sum((a.moments.n - 1) * a.moments.unit_variance(a.pre_grad) for a in arms)
    return float(cov / var) if var > 0 else 0.0


def _compare(
    control: CupedStats | CupedRatioStats,
    treatment: CupedStats | CupedRatioStats,
    *,
    alpha: float,
    theta: float | None,
    method: str,
) -> EffectEstimate:
    c, t = _linearise(control), _linearise(treatment)
    th = _pooled_theta([c, t]) if theta is None else float(theta)
    c_adj, t_adj = c.adjusted(th), t.adjusted(th)
    raw_var = c.raw().variance + t.raw().variance
    adj_var = c_adj.variance + t_adj.variance
    reduction = 1 - adj_var / raw_var if raw_var > 0 else 0.0
    return contrast(
        c_adj,
        t_adj,
        c.raw(),
        alpha=alpha,
        method=method,
        treatment_mean=t.post_value,
        cuped=True,
        theta=th,
        variance_reduction=float(reduction),
    )


def compare_cuped(
    control: CupedStats, treatment: CupedStats, *, alpha: float = 0.05, theta: float | None = None
) -> EffectEstimate:
    """CUPED-adjusted Welch comparison of a per-unit mean metric.

    `theta` defaults to the within-arm pooled slope of these two arms. The estimate reports
    `variance_reduction` = 1 − Var(adjusted)/Var(unadjusted) of the absolute effect, and
    `mde` at the adjusted variance.
    """
    return _compare(control, treatment, alpha=alpha, theta=theta, method="cuped")


def compare_cuped_ratios(
    control: CupedRatioStats,
    treatment: CupedRatioStats,
    *,
    alpha: float = 0.05,
    theta: float | None = None,
) -> EffectEstimate:
    """CUPED for ratio metrics: adjust Σx/Σy by the pre-period ratio Σpx/Σpy (delta method)."""
    return _compare(control, treatment, alpha=alpha, theta=theta, method="cuped_ratio")
