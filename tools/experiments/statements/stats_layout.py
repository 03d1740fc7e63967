"""What the statistics statement returns: its output column names and how to read them.

`stats_statement.stats_sql` writes the statement and returns a `StatsLayout`; the readers
(`collect`, `compute`, `health_checks`, `statement_rows`, `analysis_sql`) only need this
module to find a number in its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.catalog.model import Metric

POST_ROWS = "post_rows"
PRE_ROWS = "pre_rows"
PRE_UNITS = "units_with_pre_rows"
# Health columns of every output row (per arm; the NULL-arm row holds the excluded units).
SEVERAL_ARMS = "units_in_several_arms"
NO_VARIANT = "units_without_variant"
AFTER_END = "units_assigned_after_end"
BEFORE_START = "units_assigned_before_start"
NOT_IN_UNIT_TABLE = "units_not_in_unit_table"
LAST_DAY = "last_day_with_rows"
FIRST_PRE_DAY = "first_pre_period_day_with_rows"
HEALTH_COLUMNS = (SEVERAL_ARMS, NO_VARIANT, AFTER_END, BEFORE_START, NOT_IN_UNIT_TABLE)
# Shares of units whose contribution the concentration check measures.
TOP_SHARES = (0.001, 0.01)
# The last CTE of the statement: the per-arm sums (the output adds the caps beside them).
ARM_SUMS = "arm_sums"


@dataclass(frozen=True)
class CapSpec:
    """How a mean metric's per-unit values are capped: at a fixed value or a percentile."""

    value: float | None = None
    level: float | None = None


@dataclass(frozen=True)
class UnitTable:
    """The table that lists every unit (e.g. users), joined on `column`."""

    table: str
    column: str


@dataclass(frozen=True)
class StatsLayout:
    """Which output column holds what.

    `sums[(metric, name)]`: variables per metric are mean/proportion `y` (with CUPED its
    pre-period value `x`) and ratio numerator `x`, denominator `y` (with CUPED `px`, `py`);
    names are the variables (their centred sums), "a*b" (sums of products) and
    "a@shift" (the shift). `caps[metric]` = (column or None, fixed value or None, level);
    `nulls[column]` = the column counting its NULL rows; `top[share]` = (sum, count)
    columns of the primary's top units per arm.
    """

    sql: str
    metrics: tuple[Metric, ...]
    cuped: bool
    segment_columns: tuple[str, ...] = ()
    sums: dict[tuple[str, str], str] = field(default_factory=dict)
    caps: dict[str, tuple[str | None, float | None, float | None]] = field(default_factory=dict)
    nulls: dict[str, str] = field(default_factory=dict)
    top: dict[float, tuple[str, str]] = field(default_factory=dict)
    top_metric: str | None = None
    unit_table: str | None = None
    # (metric, variable) -> the per-unit centred column of `centred` summed for it
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
