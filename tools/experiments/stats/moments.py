"""Per-arm first and second moments, and the delta-method variance built on them.

Every metric kind reduces to the same shape: a vector of per-unit variables (a value; a
numerator and a denominator; plus their pre-period twins for CUPED) summarised by n, the
mean vector and the sample covariance matrix. Estimators are smooth functions of the mean
vector, so their variance is `grad' Σ grad / n` (delta method).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tools.errors import ExperimentError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Moments:
    """n units, the mean of each variable, and their sample covariance (ddof=1)."""

    n: int
    mean: FloatArray
    cov: FloatArray
    # The mean minus the shift of centred sums (Σ(v − shift)/n) and the shift itself: a
    # difference of two arms' means is taken on the centred parts when both share a shift.
    centred: FloatArray | None = None
    shift: FloatArray | None = None

    def variance_of_mean(self, grad: FloatArray) -> float:
        """Delta-method variance of g(mean) given the gradient of g at the mean."""
        return float(grad @ self.cov @ grad) / self.n

    def unit_variance(self, grad: FloatArray) -> float:
        """Per-unit variance of the linearised statistic `grad' x` (n × variance_of_mean)."""
        return float(grad @ self.cov @ grad)

    def unit_covariance(self, grad_a: FloatArray, grad_b: FloatArray) -> float:
        """Per-unit covariance of two linearised statistics."""
        return float(grad_a @ self.cov @ grad_b)


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
    s = np.asarray(sums, dtype=np.float64)
    c = np.asarray(cross, dtype=np.float64)
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(c))):
        raise ExperimentError(
            f"{label}: sufficient statistics contain NaN or infinity",
            hint="A NULL or overflow in the aggregation SQL is the usual cause.",
        )
    k = np.zeros(len(s)) if shifts is None else np.asarray(shifts, dtype=np.float64)
    if not np.all(np.isfinite(k)):
        raise ExperimentError(f"{label}: a shift of the centred sums is not finite")
    mean = k + s / n
    cov = (c - np.outer(s, s) / n) / (n - 1)
    # Sums of squares minus squared sums cancel catastrophically for near-constant data; a
    # variance can only be negative by rounding, so clamp it to zero.
    diag = np.clip(np.diag(cov), 0.0, None)
    np.fill_diagonal(cov, diag)
    return Moments(n=int(n), mean=mean, cov=cov, centred=s / n, shift=k)
