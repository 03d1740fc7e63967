"""What a statement needs to know about one experiment: dates, scope, table and date column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from tools.catalog.model import Catalog, ExperimentSource, Metric, Table
from tools.errors import ExperimentError


@dataclass(frozen=True)
class ExperimentWindow:
    """What the SQL needs to know about one experiment: its id, dates and scope filters."""

    experiment_id: str
    start: date
    end: date
    # metric-table column -> value every analysed row must have (e.g. the surface)
    scope: dict[str, str] = field(default_factory=dict)
    pre_period_days: int = 0

    @property
    def pre_start(self) -> date | None:
        if self.pre_period_days <= 0:
            return None
        return self.start - timedelta(days=self.pre_period_days)


@dataclass(frozen=True)
class SegmentJoin:
    """A table joined on the unit that holds the segment columns."""

    table: str
    unit_column: str
    columns: tuple[str, ...]


def metric_table(catalog: Catalog, metrics: Sequence[Metric]) -> Table:
    """The one table all `metrics` read; raises when they span several tables."""
    names = {m.table.lower() for m in metrics}
    if len(names) != 1:
        raise ExperimentError(f"One statistics query reads one table, got {sorted(names)}")
    table = catalog.table(metrics[0].table)
    if table is None:  # the catalog model validates this; keep the type checker honest
        raise ExperimentError(f"Metric table {metrics[0].table!r} is not in the catalog")
    return table


def date_column(table: Table, source: ExperimentSource) -> str:
    """The metric table's row-date column: catalog override, time column, then partition."""
    name = source.metric_date_column or table.time_column or table.partition_column
    if not name or table.column(name) is None:
        raise ExperimentError(
            f"Table {table.name!r} has no date column to window metrics on",
            hint="Set the table's time_column or experiments.metric_date_column in the catalog.",
        )
    return name
