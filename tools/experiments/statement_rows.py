"""Rows of the statistics statement read back as typed values: one arm's sufficient
statistics for a metric, and the counts the health checks read."""

from __future__ import annotations

from typing import Any

from tools.catalog.model import Metric
from tools.experiments.statements.stats_layout import StatsLayout
from tools.experiments.statements.units import UNITS
from tools.experiments.stats.arms import ArmStats
from tools.experiments.stats.sufficient import stats_from_sums


def arm_stats(layout: StatsLayout, row: dict[str, Any], metric: Metric, *, cuped: bool) -> ArmStats:
    """The stats object of one arm (one result row) for `metric`."""
    # Pre-period sums in the row are simply not read when `cuped` is off.
    sums = {name: row[alias] for (m, name), alias in layout.sums.items() if m == metric.name}
    return stats_from_sums(metric.kind.value, int(row[UNITS]), sums, cuped=cuped)


def row_count_of(row: dict[str, Any], key: str) -> int:
    """A count column of one arm's row; NULL (no rows at all) is 0."""
    return int(row.get(key) or 0)
