"""Building sufficient statistics from named SQL sums and from per-unit values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tools.errors import ExperimentError
from tools.experiments.stats.sufficient import (
    CupedRatioStats,
    CupedStats,
    MeanStats,
    RatioStats,
    stats_from_sums,
)


def _named_sums(columns: dict[str, np.ndarray]) -> dict[str, float]:
    """What a SQL row gives: SUM(a) per variable and SUM(a*b) per pair."""
    sums = {k: float(v.sum()) for k, v in columns.items()}
    for a, b in itertools.combinations_with_replacement(columns, 2):
        sums[f"{a}*{b}"] = float((columns[a] * columns[b]).sum())
    return sums


@pytest.fixture
def units() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {name: rng.poisson(3.0, 50).astype(float) for name in ("x", "y", "px", "py")}


def test_mean_and_cuped_mean(units: dict[str, np.ndarray]) -> None:
    y, x = units["y"], units["x"]
    assert stats_from_sums("mean", 50, _named_sums({"y": y})) == MeanStats.from_values(y)
    assert stats_from_sums(
        "mean", 50, _named_sums({"y": y, "x": x}), cuped=True
    ) == CupedStats.from_values(y, pre=x)


def test_ratio_and_cuped_ratio_in_any_product_order(units: dict[str, np.ndarray]) -> None:
    u = units
    assert stats_from_sums("ratio", 50, _named_sums({"x": u["x"], "y": u["y"]})) == (
        RatioStats.from_values(u["x"], u["y"])
    )
    reversed_order = _named_sums({"py": u["py"], "px": u["px"], "y": u["y"], "x": u["x"]})
    assert stats_from_sums("ratio", 50, reversed_order, cuped=True) == (
        CupedRatioStats.from_values(u["x"], u["y"], u["px"], u["py"])
    )


def test_proportion_needs_no_sum_of_squares() -> None:
    assert stats_from_sums("proportion", 10, {"y": 4}) == MeanStats(10, 4.0, 4.0)


def test_missing_sum_is_named() -> None:
    with pytest.raises(ExperimentError, match="'x\\*y'"):
        stats_from_sums("ratio", 10, {"x": 1, "y": 2, "x*x": 1, "y*y": 4})


def test_sample_variance_uses_n_minus_one() -> None:
    s = MeanStats.from_values([1.0, 2.0, 3.0, 4.0])
    assert s.mean == 2.5 and s.variance == pytest.approx(5 / 3)


def test_counts_from_any_warehouse_type_are_accepted_but_fractions_are_not() -> None:
    from decimal import Decimal

    assert MeanStats(Decimal(4), Decimal(10), Decimal(30)).moments().n == 4  # type: ignore[arg-type]
    assert MeanStats(4.0, 10.0, 30.0).moments().n == 4  # type: ignore[arg-type]
    with pytest.raises(ExperimentError, match="whole number"):
        MeanStats(4.5, 10.0, 30.0).moments()  # type: ignore[arg-type]
