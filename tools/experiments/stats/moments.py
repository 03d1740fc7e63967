"""Per-arm first and second moments, and the delta-method variance built on them.

Every metric kind reduces to the same shape: a vector of per-unit variables (a value; a
numerator and a denominator; plus their pre-period twins for CUPED) summarised by n, the
mean vector and the sample covariance matrix. Estimators are smooth functions of the mean
vector, so their variance is `grad' Σ grad / n` (delta method).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.errors import ExperimentError
from tools.experiments.stats.vectors import Matrix, Vector, matrix, quadratic_form, vector


@dataclass(frozen=True)
class Moments:
    """n units, the mean of each variable, and their sample covariance (ddof=1)."""

    n: int
    mean: Vector
    cov: Matrix
    # The mean minus the shift of centred sums (Σ(v − shift)/n) and the shift itself: a
    # difference of two arms' means is taken on the centred parts when both share a shift.
    centred: Vector | None = None
    shift: Vector | None = None

    def variance_of_mean(self, grad: Vector) -> float:
        """Delta-method variance of g(mean) given the gradient of g at the mean."""
        return quadratic_form(grad, self.cov, grad) / self.n

    def unit_variance(self, grad: Vector) -> float:
        """Per-unit variance of the linearised statistic `grad' x` (n × variance_of_mean)."""
        return quadratic_form(grad, self.cov, grad)

    def unit_covariance(self, grad_a: Vector, grad_b: Vector) -> float:
        """Per-unit covariance of two linearised statistics."""
        return quadratic_form(grad_a, self.cov, grad_b)


def moments_from_sums(
    n: int,
    sums: list[float],
    cross: list[list[float]],
    *,
    label: str,
    shifts: list[float] | None = None,
) -> Moments:
    """Build `Moments` from n, the sum of each variable and the matrix of sums of products.

    With `shifts`, the sums are of the centred values (v − shift): the covariance is the same
    for any shift, and near the variables' means it keeps its precision at any magnitude
    (Σv² − (Σv)²/n loses every digit for values near 1e12 with a spread of 100).
    Raises `ExperimentError` when n < 2 or a value is not finite: no variance can be estimated.
    """
    # Warehouses return counts as int, Decimal or float; any whole number will do.
    try:
        whole = not isinstance(n, bool) and float(n).is_integer()
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise ExperimentError(f"{label}: n must be a whole number, got {n!r}")
    n = int(n)
    if n < 2:
        raise ExperimentError(
            f"{label}: {n} unit(s) — at least 2 per arm are needed to estimate a variance",
            hint="Check the arm's assignments, or wait for more traffic.",
        )
    s, c = vector(sums), matrix(cross)
    if not all(math.isfinite(v) for v in (*s, *(x for row in c for x in row))):
        raise ExperimentError(
            f"{label}: sufficient statistics contain NaN or infinity",
            hint="A NULL or overflow in the aggregation SQL is the usual cause.",
        )
    k = tuple(0.0 for _ in s) if shifts is None else vector(shifts)
    if not all(math.isfinite(v) for v in k):
        raise ExperimentError(f"{label}: a shift of the centred sums is not finite")
    centred = tuple(v / n for v in s)
    mean = tuple(shift + part for shift, part in zip(k, centred, strict=True))
    # Sums of squares minus squared sums cancel catastrophically for near-constant data; a
    # variance can only be negative by rounding, so it is clamped to zero.
    cov = tuple(
        tuple(
            max(cell, 0.0) if i == j else cell
            for j, cell in enumerate((c[i][j] - s[i] * s[j] / n) / (n - 1) for j in range(len(s)))
        )
        for i in range(len(s))
    )
    return Moments(n=int(n), mean=mean, cov=cov, centred=centred, shift=k)
