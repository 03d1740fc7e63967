"""Per-arm sufficient statistics, as the warehouse computes them in SQL.

Each dataclass holds plain numbers for one arm of one metric, one row per unit aggregated:
`n` units, sums and sums of products of the per-unit values. `from_values` builds the same
numbers from per-unit arrays (for tests and for engines that already hold unit-level data).

Conventions the SQL must follow:

- one per-unit value per assigned unit; units with no activity count with value 0
  (otherwise the per-user mean is biased upwards);
- CUPED pre-period values are the same metric over the pre-period, 0 for units with none;
- winsorisation, if any, is applied to per-unit values in SQL before summing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.errors import ExperimentError
from tools.experiments.stats.moments import Moments, moments_from_sums

if TYPE_CHECKING:
    import numpy as np


def _array(values: Sequence[float] | np.ndarray) -> np.ndarray:
    # numpy only here: summaries read sums from SQL and never import it (0.1 s).
    import numpy as np

    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class MeanStats:
    """A per-unit mean metric: n units, Σy and Σy² (of y − shift when `shift` is set)."""

    n: int
    sum: float
    sum_sq: float
    shift: float = 0.0

    @classmethod
    def from_values(cls, y: Sequence[float] | np.ndarray) -> MeanStats:
        a = _array(y)
        return cls(n=len(a), sum=float(a.sum()), sum_sq=float((a * a).sum()))

    @property
    def mean(self) -> float:
        return self.shift + self.sum / self.n

    @property
    def variance(self) -> float:
        """Sample variance of the per-unit values (ddof=1)."""
        return self.moments().cov[0][0]

    def moments(self) -> Moments:
        return moments_from_sums(
            self.n, [self.sum], [[self.sum_sq]], label="mean metric", shifts=[self.shift]
        )


def proportion_stats(n: int, successes: int | float) -> MeanStats:
    """Sufficient statistics of a 0/1 per-unit metric: Σy² equals Σy for 0/1 values.

    The variance is then the sample variance of the 0/1 values, p(1-p)·n/(n-1), so the test
    is exactly the Welch test on per-unit indicators.
    """
    return MeanStats(n=n, sum=float(successes), sum_sq=float(successes))


@dataclass(frozen=True)
class RatioStats:
    """A ratio metric Σx/Σy over units: per-unit numerator x and denominator y.

    Fields: n, Σx, Σy, Σx², Σy², Σxy (the cross sum gives the covariance the delta method needs),
    of the centred values x − shift_x, y − shift_y when shifts are set.
    """

    n: int
    sum_x: float
    sum_y: float
    sum_x2: float
    sum_y2: float
    sum_xy: float
    shift_x: float = 0.0
    shift_y: float = 0.0

    @classmethod
    def from_values(
        cls, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
    ) -> RatioStats:
        a, b = _array(x), _array(y)
        return cls(
            n=len(a),
            sum_x=float(a.sum()),
            sum_y=float(b.sum()),
            sum_x2=float((a * a).sum()),
            sum_y2=float((b * b).sum()),
            sum_xy=float((a * b).sum()),
        )

    @property
    def ratio(self) -> float:
        return (self.shift_x * self.n + self.sum_x) / (self.shift_y * self.n + self.sum_y)

    def moments(self) -> Moments:
        return moments_from_sums(
            self.n,
            [self.sum_x, self.sum_y],
            [[self.sum_x2, self.sum_xy], [self.sum_xy, self.sum_y2]],
            label="ratio metric",
            shifts=[self.shift_x, self.shift_y],
        )


@dataclass(frozen=True)
class CupedStats:
    """A per-unit mean metric y with its pre-experiment value x of the same metric.

    Fields: n, Σy, Σy², Σx (pre_sum), Σx² (pre_sum_sq), Σxy (sum_cross), of y − shift and
    x − pre_shift when shifts are set.
    """

    n: int
    sum: float
    sum_sq: float
    pre_sum: float
    pre_sum_sq: float
    sum_cross: float
    shift: float = 0.0
    pre_shift: float = 0.0

    @classmethod
    def from_values(
        cls, y: Sequence[float] | np.ndarray, pre: Sequence[float] | np.ndarray
    ) -> CupedStats:
        a, b = _array(y), _array(pre)
        return cls(
            n=len(a),
            sum=float(a.sum()),
            sum_sq=float((a * a).sum()),
            pre_sum=float(b.sum()),
            pre_sum_sq=float((b * b).sum()),
            sum_cross=float((a * b).sum()),
        )

    @property
    def mean(self) -> float:
        return self.shift + self.sum / self.n

    def unadjusted(self) -> MeanStats:
        return MeanStats(n=self.n, sum=self.sum, sum_sq=self.sum_sq, shift=self.shift)

    def pre(self) -> MeanStats:
        """The pre-period covariate alone (for the pre-period balance check)."""
        return MeanStats(n=self.n, sum=self.pre_sum, sum_sq=self.pre_sum_sq, shift=self.pre_shift)

    def moments(self) -> Moments:
        """Variables in order (y, pre)."""
        return moments_from_sums(
            self.n,
            [self.sum, self.pre_sum],
            [[self.sum_sq, self.sum_cross], [self.sum_cross, self.pre_sum_sq]],
            label="CUPED metric",
            shifts=[self.shift, self.pre_shift],
        )


@dataclass(frozen=True)
class CupedRatioStats:
    """A ratio metric Σx/Σy with the same ratio's pre-period numerator and denominator.

    Variables per unit: x, y (experiment period) and px, py (pre-period). Fields are n, the
    four sums and the ten sums of products (squares and every cross product).
    """

    n: int
    sum_x: float
    sum_y: float
    sum_px: float
    sum_py: float
    sum_x2: float
    sum_y2: float
    sum_px2: float
    sum_py2: float
    sum_xy: float
    sum_x_px: float
    sum_x_py: float
    sum_y_px: float
    sum_y_py: float
    sum_px_py: float
    shift_x: float = 0.0
    shift_y: float = 0.0
    shift_px: float = 0.0
    shift_py: float = 0.0

    @classmethod
    def from_values(
        cls,
        x: Sequence[float] | np.ndarray,
        y: Sequence[float] | np.ndarray,
        px: Sequence[float] | np.ndarray,
        py: Sequence[float] | np.ndarray,
    ) -> CupedRatioStats:
        a, b, c, d = _array(x), _array(y), _array(px), _array(py)

        def dot(u: np.ndarray, v: np.ndarray) -> float:
            return float((u * v).sum())

        return cls(
            n=len(a),
            sum_x=float(a.sum()),
            sum_y=float(b.sum()),
            sum_px=float(c.sum()),
            sum_py=float(d.sum()),
            sum_x2=dot(a, a),
            sum_y2=dot(b, b),
            sum_px2=dot(c, c),
            sum_py2=dot(d, d),
            sum_xy=dot(a, b),
            sum_x_px=dot(a, c),
            sum_x_py=dot(a, d),
            sum_y_px=dot(b, c),
            sum_y_py=dot(b, d),
            sum_px_py=dot(c, d),
        )

    @property
    def ratio(self) -> float:
        return (self.shift_x * self.n + self.sum_x) / (self.shift_y * self.n + self.sum_y)

    @property
    def pre_ratio(self) -> float:
        return (self.shift_px * self.n + self.sum_px) / (self.shift_py * self.n + self.sum_py)

    def unadjusted(self) -> RatioStats:
        return RatioStats(
            n=self.n,
            sum_x=self.sum_x,
            sum_y=self.sum_y,
            sum_x2=self.sum_x2,
            sum_y2=self.sum_y2,
            sum_xy=self.sum_xy,
            shift_x=self.shift_x,
            shift_y=self.shift_y,
        )

    def pre(self) -> RatioStats:
        """The pre-period ratio alone (for the pre-period balance check)."""
        return RatioStats(
            n=self.n,
            sum_x=self.sum_px,
            sum_y=self.sum_py,
            sum_x2=self.sum_px2,
            sum_y2=self.sum_py2,
            sum_xy=self.sum_px_py,
            shift_x=self.shift_px,
            shift_y=self.shift_py,
        )

    def moments(self) -> Moments:
        """Variables in order (x, y, px, py)."""
        cross = [
            [self.sum_x2, self.sum_xy, self.sum_x_px, self.sum_x_py],
            [self.sum_xy, self.sum_y2, self.sum_y_px, self.sum_y_py],
            [self.sum_x_px, self.sum_y_px, self.sum_px2, self.sum_px_py],
            [self.sum_x_py, self.sum_y_py, self.sum_px_py, self.sum_py2],
        ]
        return moments_from_sums(
            self.n,
            [self.sum_x, self.sum_y, self.sum_px, self.sum_py],
            cross,
            label="CUPED ratio metric",
            shifts=[self.shift_x, self.shift_y, self.shift_px, self.shift_py],
        )


def stats_from_sums(
    kind: str, n: int, sums: Mapping[str, float], *, cuped: bool = False
) -> MeanStats | RatioStats | CupedStats | CupedRatioStats:
    """Build the right dataclass from named sums, as a SQL result row provides them.

    `kind` is "mean", "proportion" or "ratio". Variables: mean/proportion `y` (with CUPED its
    pre-period value `x`); ratio numerator `x`, denominator `y` (with CUPED pre-period `px`,
    `py`). Keys are the variable names for their sums and "a*b" for sums of products (either
    order, "y*y" for squares). A proportion may omit "y*y" (it equals Σy for 0/1 values).
    Sums of centred values name each variable's shift "<var>@shift" (missing: 0).
    Raises `ExperimentError` naming a missing key.
    """

    def shift(var: str) -> float:
        value = sums.get(f"{var}@shift")
        return 0.0 if value is None else float(value)

    def get(a: str, b: str | None = None) -> float:
        keys = [a] if b is None else [f"{a}*{b}", f"{b}*{a}"]
        for key in keys:
            if key in sums and sums[key] is not None:
                return float(sums[key])
        raise ExperimentError(f"{kind} statistics need the sum {keys[0]!r}; got {sorted(sums)}")

    if kind in ("mean", "proportion"):
        sq = get("y") if kind == "proportion" and "y*y" not in sums else get("y", "y")
        if not cuped:
            return MeanStats(n=n, sum=get("y"), sum_sq=sq, shift=shift("y"))
        return CupedStats(
            n=n,
            sum=get("y"),
            sum_sq=sq,
            pre_sum=get("x"),
            pre_sum_sq=get("x", "x"),
            sum_cross=get("x", "y"),
            shift=shift("y"),
            pre_shift=shift("x"),
        )
    if kind == "ratio":
        if not cuped:
            return RatioStats(
                n=n,
                sum_x=get("x"),
                sum_y=get("y"),
                sum_x2=get("x", "x"),
                sum_y2=get("y", "y"),
                sum_xy=get("x", "y"),
                shift_x=shift("x"),
                shift_y=shift("y"),
            )
        return CupedRatioStats(
            n=n,
            sum_x=get("x"),
            sum_y=get("y"),
            sum_px=get("px"),
            sum_py=get("py"),
            sum_x2=get("x", "x"),
            sum_y2=get("y", "y"),
            sum_px2=get("px", "px"),
            sum_py2=get("py", "py"),
            sum_xy=get("x", "y"),
            sum_x_px=get("x", "px"),
            sum_x_py=get("x", "py"),
            sum_y_px=get("y", "px"),
            sum_y_py=get("y", "py"),
            sum_px_py=get("px", "py"),
            shift_x=shift("x"),
            shift_y=shift("y"),
            shift_px=shift("px"),
            shift_py=shift("py"),
        )
    raise ExperimentError(
        f"Unknown metric kind {kind!r}", hint="Use one of: mean, proportion, ratio."
    )
