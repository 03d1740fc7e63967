"""The query plan: what the planner understood, before any SQL is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal


@dataclass(frozen=True)
class ColumnRef:
    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Filter:
    column: ColumnRef
    op: str  # = != in not in > >= < <=
    values: tuple[object, ...]


@dataclass(frozen=True)
class JoinStep:
    """JOIN `table` ON left = right, where `left` is already in the query."""

    table: str
    left: ColumnRef
    right: ColumnRef


MeasureKind = Literal[
    "metric", "aggregate", "count_rows", "count_distinct", "list", "share", "lookup", "ratio"
]


@dataclass(frozen=True)
class Measure:
    kind: MeasureKind
    agg: str | None = None  # SUM AVG MIN MAX MEDIAN for aggregates
    column: ColumnRef | None = None  # aggregated / distinct-counted column
    metric: str | None = None
    entity: str | None = None  # table whose rows or units are counted
    columns: tuple[ColumnRef, ...] = ()  # for lookups: the attributes shown
    denominator: ColumnRef | None = None  # for ratios: SUM(column) / SUM(denominator)
    share_where: tuple[str, str] | None = None  # for shares of a value: (op, value)


@dataclass
class QueryPlan:
    question: str
    base_table: str
    measure: Measure
    joins: list[JoinStep] = field(default_factory=list)
    dimensions: list[ColumnRef] = field(default_factory=list)
    grain: str | None = None  # day | week | month | quarter | year
    # More aggregates of the same rows ("clicks and hides on search yesterday").
    extra_measures: list[Measure] = field(default_factory=list)
    change: bool = False  # "week over week": each period's change from the one before
    time_column: ColumnRef | None = None
    start: date | None = None  # inclusive
    end: date | None = None  # inclusive
    period_label: str | None = None
    filters: list[Filter] = field(default_factory=list)
    # Conditions on each counted unit's total ("users with more than 20 saves").
    having: list[Filter] = field(default_factory=list)
    # (table, op, value): on how many rows of the table each counted unit has ("creators
    # who published more than 3 pins"); the counted key is a column of that table.
    having_rows: list[tuple[str, str, float]] = field(default_factory=list)
    # "average daily saves", "pins per creator on average": the measure is computed per group
    # (per period and dimension), then this aggregate runs over the groups; `rollup_keep`
    # are the dimensions kept in the outer query.
    rollup: str | None = None
    rollup_keep: list[ColumnRef] = field(default_factory=list)
    order: Literal["asc", "desc"] | None = None
    limit: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[str]:
        return [self.base_table, *(j.table for j in self.joins)]
