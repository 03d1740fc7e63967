"""The catalog file as typed records: tables, columns, join keys, metrics, experiment source.

Strict on purpose: an unknown key is an error, so a typo in a catalog never goes unnoticed.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from tools.strict_records import StrictRecord


class Column(StrictRecord, kw_only=True):
    name: str
    type: str = "VARCHAR"
    description: str = ""
    synonyms: list[str] = msgspec.field(default_factory=list)
    # Low-cardinality columns list their values; `value_synonyms` maps words people use to them.
    values: list[str] | None = None
    value_synonyms: dict[str, str] = msgspec.field(default_factory=dict)
    is_date: bool = False

    @property
    def is_numeric(self) -> bool:
        t = self.type.upper()
        return any(k in t for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "NUMERIC", "REAL"))


class JoinKey(StrictRecord, kw_only=True):
    """`left_table.left_column = right_table.right_column` is a valid join."""

    left_table: str
    left_column: str
    right_table: str
    right_column: str


class Table(StrictRecord, kw_only=True):
    name: str
    description: str = ""
    synonyms: list[str] = msgspec.field(default_factory=list)
    columns: list[Column]
    # A query on this table must filter on this column (e.g. a date partition).
    partition_column: str | None = None
    require_partition_filter: bool = False
    # Column holding the row's date, used by the planner for time filters and trends.
    time_column: str | None = None
    # Default unit column for "per X" metrics and distinct counts (e.g. user_id).
    unit_column: str | None = None

    def column(self, name: str) -> Column | None:
        lname = name.lower()
        return next((c for c in self.columns if c.name.lower() == lname), None)

    def __post_init__(self) -> None:
        names = {c.name.lower() for c in self.columns}
        for field in ("partition_column", "time_column", "unit_column"):
            value = getattr(self, field)
            if value is not None and value.lower() not in names:
                raise ValueError(f"{field} {value!r} is not a column of table {self.name!r}")


class MetricKind(StrEnum):
    MEAN = "mean"  # per-unit mean: numerator aggregated per unit, averaged over units
    RATIO = "ratio"  # sum of numerator over sum of denominator, delta method per unit
    PROPORTION = "proportion"  # share of units for which the per-unit indicator is 1


class Metric(StrictRecord, kw_only=True):
    """A business metric defined once and used by the planner and the experiment engine.

    `numerator` (and `denominator` for ratios) are SQL aggregate expressions over `table`
    evaluated per `unit`; for proportions `numerator` is a per-unit 0/1 aggregate.
    """

    name: str
    description: str = ""
    synonyms: list[str] = msgspec.field(default_factory=list)
    kind: MetricKind
    table: str
    unit: str
    numerator: str
    denominator: str | None = None
    # Direction that counts as good: +1 higher is better, -1 lower is better.
    higher_is_better: bool = True
    # Optional winsorization cap on the per-unit value (experiment analysis).
    winsorize_at: float | None = None
    # --- experiment analysis (tools/experiments) ---
    # Winsorisation percentile of the pooled per-unit values (default 0.99, see
    # tools/experiments/collect.py); `winsorize_at` above is a fixed cap instead.
    cap_percentile: float | None = None
    # As a guardrail: the relative harm tolerated by its non-inferiority test (0.02 = 2 %
    # worse; default tools/experiments/stats/verdict.DEFAULT_GUARDRAIL_MARGIN).
    guardrail_margin: float | None = None

    def __post_init__(self) -> None:
        if self.kind is MetricKind.RATIO and not self.denominator:
            raise ValueError(f"ratio metric {self.name!r} needs a denominator")
        if self.kind is not MetricKind.RATIO and self.denominator:
            raise ValueError(f"only ratio metrics take a denominator ({self.name!r})")
        if self.cap_percentile is not None and not 0.5 <= self.cap_percentile < 1:
            raise ValueError(f"cap_percentile of {self.name!r} must be in [0.5, 1)")
        if self.guardrail_margin is not None and not 0 < self.guardrail_margin < 1:
            raise ValueError(f"guardrail_margin of {self.name!r} must be in (0, 1)")


class ExperimentSource(StrictRecord, kw_only=True):
    """Where experiments live: assignments (unit, variant, date) and their metadata table."""

    assignment_table: str
    experiment_column: str
    unit_column: str
    variant_column: str
    assigned_date_column: str
    control_variant: str = "control"
    metadata_table: str
    metadata_id_column: str
    name_column: str | None = None
    start_date_column: str
    end_date_column: str
    primary_metric_column: str
    guardrail_metrics_column: str | None = None
    traffic_split_column: str | None = None
    status_column: str | None = None
    # Metadata column -> metric-table column: restricts metrics to the experiment's scope,
    # e.g. {"surface": "surface"} analyses a homefeed experiment on homefeed rows only.
    scope_columns: dict[str, str] = msgspec.field(default_factory=dict)
    # Days before the start used as CUPED covariate period.
    pre_period_days: int = 28
    # Metric table column holding the row date (defaults to the table's time_column).
    metric_date_column: str | None = None


class Catalog(StrictRecord, kw_only=True):
    version: int = 1
    name: str = "warehouse"
    description: str = ""
    dialect: str = "duckdb"
    tables: list[Table]
    join_keys: list[JoinKey] = msgspec.field(default_factory=list)
    metrics: list[Metric] = msgspec.field(default_factory=list)
    experiments: ExperimentSource | None = None

    def table(self, name: str) -> Table | None:
        lname = name.lower()
        return next((t for t in self.tables if t.name.lower() == lname), None)

    def metric(self, name: str) -> Metric | None:
        lname = name.lower()
        return next((m for m in self.metrics if m.name.lower() == lname), None)

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    def schema_mapping(self) -> dict[str, dict[str, str]]:
        """`{table: {column: type}}`, the shape sqlglot's optimizer expects."""
        return {t.name: {c.name: c.type for c in t.columns} for t in self.tables}

    def __post_init__(self) -> None:
        tables = {t.name.lower(): t for t in self.tables}
        for jk in self.join_keys:
            for tname, cname in (
                (jk.left_table, jk.left_column),
                (jk.right_table, jk.right_column),
            ):
                t = tables.get(tname.lower())
                if t is None:
                    raise ValueError(f"join key names unknown table {tname!r}")
                if t.column(cname) is None:
                    raise ValueError(f"join key names unknown column {tname}.{cname}")
        for m in self.metrics:
            t = tables.get(m.table.lower())
            if t is None:
                raise ValueError(f"metric {m.name!r} names unknown table {m.table!r}")
            if t.column(m.unit) is None:
                raise ValueError(f"metric {m.name!r} unit {m.unit!r} is not a column of {m.table}")
        if self.experiments is not None:
            src = self.experiments
            for tname in (src.assignment_table, src.metadata_table):
                if tname.lower() not in tables:
                    raise ValueError(f"experiment source names unknown table {tname!r}")
