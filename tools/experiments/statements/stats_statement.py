"""The statement that makes the warehouse compute per-arm sufficient statistics and health.

Everything comes from the catalog: the assignment table and its columns (`ExperimentSource`),
the metric table, its date column and unit, each metric's SQL aggregates, the unit table.
The shape of the statement (CTEs named for what they hold):

    assigned_units   one row per unit ever assigned: its arm (NULL when it has several or
                     none), how many arms, its first assignment date
    post_period      per unit: row count, last day, NULL counts of the columns metrics read,
                     and each distinct metric expression over the unit's own window (rows
                     from its assignment day, and the start, to the end)
    pre_period       the same over the CUPED pre-period: the days before the start *and*
                     before the unit's first assignment, so no treated day leaks into it
                     Both read the metric table through the date filter the validator
                     requires and the experiment's scope. A DISTINCT aggregate DuckDB cannot
                     do cheaply gets a CTE of its own (`post_period_distinct_1` …);
                     COUNT(DISTINCT <date>) becomes an exact bitmask count on DuckDB.
    known_units      the unit table's units (to count assigned units it does not know)
    unit_values      one row per assigned unit: the aggregates, 0 for units without activity
    unit_caps        per variable: the winsorisation cap (a percentile of the pooled
                     per-unit values of analysed units) and a centring shift (their mean)
    centred          per unit: capped values minus the shift (sums of centred values keep
                     their precision at any magnitude), and the primary's rank in its arm
    final            per arm (and segment): n, every sum and sum of products once, the caps
                     and shifts, and the health counts

Units in several arms, with no variant, or assigned after the end have arm NULL: they form
one extra output row, which the analysis reads only for its health counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from sqlglot import exp, parse_one

from tools.catalog.model import Catalog, Metric, MetricKind, Table
from tools.errors import ExperimentError
from tools.experiments.statements.distinct_days import distinct_days
from tools.experiments.statements.experiment_source import experiment_source
from tools.experiments.statements.quoting import literal, qualified, quote
from tools.experiments.statements.units import ARM, UNITS, units_cte
from tools.experiments.statements.window import (
    ExperimentWindow,
    SegmentJoin,
    date_column,
    metric_table,
)

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


def _variables(metric: Metric, cuped: bool) -> list[tuple[str, int, str]]:
    """(variable name, period, expression) per per-unit variable of `metric` (1 post, 0 pre)."""
    if metric.kind is MetricKind.RATIO:
        assert metric.denominator is not None
        out = [("x", 1, metric.numerator), ("y", 1, metric.denominator)]
        if cuped:
            out += [("px", 0, metric.numerator), ("py", 0, metric.denominator)]
        return out
    out = [("y", 1, metric.numerator)]
    if cuped:
        out.append(("x", 0, metric.numerator))
    return out


_POST, _PRE = 1, 0
_PERIOD_NAME = {_POST: "post_period", _PRE: "pre_period"}


def _slug(text: str) -> str:
    """A readable column name for a SQL expression: `SUM(saves)` -> `sum_saves`."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "_".join(words)[:48].strip("_") or "value"


class _Names:
    """Unique, readable column names."""

    def __init__(self, taken: Sequence[str] = ()) -> None:
        self.taken = {t.lower() for t in taken}

    def new(self, wanted: str) -> str:
        name, i = wanted, 2
        while name.lower() in self.taken:
            name, i = f"{wanted}_{i}", i + 1
        self.taken.add(name.lower())
        return name


@dataclass
class _Aggregates:
    """One period's per-unit aggregates: CTE name -> {base SQL: column name}."""

    period: int
    names: _Names
    ctes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ctes.setdefault(self.main, {})

    @property
    def main(self) -> str:
        return _PERIOD_NAME[self.period]

    def column(self, base_sql: str, expression: str, *, alone: bool) -> tuple[str, str]:
        """(CTE, column) computing `base_sql` per unit in this period, added if new."""
        for cte, columns in self.ctes.items():
            if base_sql in columns:
                return cte, columns[base_sql]
        prefix = "" if self.period == _POST else "pre_"
        alias = self.names.new(prefix + _slug(expression))
        cte = f"{self.main}_distinct_{len(self.ctes)}" if alone else self.main
        self.ctes.setdefault(cte, {})[base_sql] = alias
        return cte, alias


def _null_columns(metrics: Sequence[Metric], dialect: str) -> list[str]:
    """The metric-table columns the metrics read, in order of first use."""
    out: list[str] = []
    for m in metrics:
        for expression in (m.numerator, m.denominator):
            if not expression:
                continue
            for column in parse_one(expression, read=dialect).find_all(exp.Column):
                if column.name not in out:
                    out.append(column.name)
    return out


def stats_sql(
    catalog: Catalog,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    cuped: bool,
    segment: SegmentJoin | None = None,
    dialect: str = "duckdb",
    caps: dict[str, CapSpec] | None = None,
    unit_table: UnitTable | None = None,
    top_metric: str | None = None,
    portable: bool = False,
) -> StatsLayout:
    """The per-arm (per-segment) statistics and health statement for `metrics` (one table).

    `caps` maps mean metrics to their winsorisation (None: the catalog's fixed
    `winsorize_at` caps; a metric absent from a given mapping is not capped); `unit_table` adds the
    count of assigned units it lacks; `top_metric` (a mean metric) adds its top units' sums
    per arm (the concentration check). Each distinct expression is aggregated once per unit
    and period, and every sum once, however many metrics share it. `portable` keeps
    COUNT(DISTINCT …) as written (no DuckDB bitmask), for other engines.
    """
    source = experiment_source(catalog)
    table = metric_table(catalog, metrics)
    use_pre = cuped and window.pre_start is not None
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt_name = date_column(table, source)
    if any(m.unit.lower() != metrics[0].unit.lower() for m in metrics):
        raise ExperimentError("Metrics analysed together must share one unit column")
    ranges = {_POST: (window.start, window.end)}
    if use_pre and window.pre_start is not None:
        ranges[_PRE] = (window.pre_start, window.start - timedelta(days=1))
    names = _Names(
        [ARM, UNITS, POST_ROWS, PRE_ROWS, PRE_UNITS, "unit_id", "arm_count", "assigned_on"]
    )
    aggregates = {p: _Aggregates(p, names) for p in ranges}
    if caps is None:  # only the fixed caps the catalog sets
        caps = {
            m.name: CapSpec(value=m.winsorize_at)
            for m in metrics
            if m.kind is MetricKind.MEAN and m.winsorize_at is not None
        }

    bases: dict[tuple[str, int], tuple[str, bool]] = {}
    raw: dict[tuple[str, int], str] = {}  # (expression, period) -> unit_values column
    centred: dict[tuple[str, int, CapSpec | None], str] = {}  # -> centred column
    centred_expr: dict[str, str] = {}  # centred column -> its value before centring
    metric_y: dict[str, str] = {}  # mean metric -> its centred per-unit value
    cap_sql: list[str] = []  # unit_caps columns
    centred_sql: list[str] = []
    final_sums: dict[str, str] = {}  # sum expression -> alias
    final: list[str] = []
    layout_sums: dict[tuple[str, str], str] = {}
    layout_caps: dict[str, tuple[str | None, float | None, float | None]] = {}
    layout_columns: dict[tuple[str, str], str] = {}

    def raw_column(expression: str, period: int) -> str:
        if (expression, period) not in raw:
            lo, hi = ranges[period]
            if (expression, period) not in bases:
                bases[(expression, period)] = _base_aggregate(
                    expression, table, dt_name, lo, hi, dialect, portable=portable
                )
            base_sql, alone = bases[(expression, period)]
            _cte, column = aggregates[period].column(base_sql, expression, alone=alone)
            raw[(expression, period)] = column
        return raw[(expression, period)]

    def centred_column(metric: Metric, var: str, period: int, expression: str) -> str:
        spec = caps.get(metric.name) if metric.kind is MetricKind.MEAN else None
        if (
            metric.kind is MetricKind.RATIO
            and metric.winsorize_at is not None
            and var
            in (
                "x",
                "px",
            )
        ):
            spec = CapSpec(value=metric.winsorize_at)  # a fixed cap on the numerator, as set
        column = raw_column(expression, period)
        key = (column, period, spec)
        if key in centred:
            return centred[key]
        v = f"v.{q(column)}"
        if spec is None:
            name = names.new(f"{column}_centred")
            value = v
        else:
            base = ("pre_" if period == _PRE else "") + metric.name
            name = names.new(base)
            if spec.level is not None:
                cap_name = names.new(f"{base}_cap")
                cap_sql.append(f"QUANTILE_CONT({v}, {spec.level!r}) AS {q(cap_name)}")
                cap_ref = f"c.{q(cap_name)}"
                final.append(f"MAX(caps.{q(cap_name)}) AS {q(cap_name)}")
                if period == _POST:
                    layout_caps[metric.name] = (cap_name, None, spec.level)
            else:
                cap_ref = lit(float(spec.value or 0))
                if period == _POST:
                    layout_caps[metric.name] = (None, spec.value, None)
            value = f"LEAST({v}, {cap_ref})"
        shift = names.new(f"{name}_shift")
        cap_sql.append(f"AVG({v}) AS {q(shift)}")
        centred_sql.append(f"{value} - c.{q(shift)} AS {q(name)}")
        centred_expr[name] = value
        final.append(f"MAX(caps.{q(shift)}) AS {q(shift)}")
        centred[key] = name
        return name

    def add_sum(expression: str, alias: str) -> str:
        if expression not in final_sums:
            final_sums[expression] = names.new(alias)
            final.append(f"SUM({expression}) AS {q(final_sums[expression])}")
        return final_sums[expression]

    for metric in metrics:
        columns: dict[str, str] = {}
        for var, period, expression in _variables(metric, use_pre):
            columns[var] = centred_column(metric, var, period, expression)
            name = columns[var]
            layout_columns[(metric.name, var)] = name
            if var == "y" and metric.kind is not MetricKind.RATIO:
                metric_y[metric.name] = name
            layout_sums[(metric.name, var)] = add_sum(f"cu.{q(name)}", f"{name}_sum")
            layout_sums[(metric.name, f"{var}@shift")] = f"{name}_shift"
        ordered = list(columns)
        for i, a in enumerate(ordered):
            for b in ordered[i:]:
                pair = sorted((columns[a], columns[b]))
                alias = f"{pair[0]}_sum_sq" if pair[0] == pair[1] else f"{pair[0]}_x_{pair[1]}_sum"
                layout_sums[(metric.name, f"{a}*{b}")] = add_sum(
                    f"cu.{q(pair[0])} * cu.{q(pair[1])}", alias
                )

    # -- health: NULL counts (post period), dates seen, per-unit flags
    null_cols = {c: names.new(f"{c}_null_rows") for c in _null_columns(metrics, dialect)}
    post_extra = [f"MAX(j.{q(dt_name)}) AS {q(LAST_DAY)}"] + [
        f"SUM(CASE WHEN j.{q(c)} IS NULL THEN 1 ELSE 0 END) AS {q(alias)}"
        for c, alias in null_cols.items()
    ]
    pre_extra = [f"MIN(j.{q(dt_name)}) AS {q(FIRST_PRE_DAY)}"]

    ctes = [f"assigned_units AS ({units_cte(source, window, dialect)})"]
    joins = ""
    for period, agg in aggregates.items():
        lo, hi = ranges[period]
        for cte, columns_ in agg.ctes.items():
            main = cte == agg.main
            extra = (post_extra if period == _POST else pre_extra) if main else []
            ctes.append(
                f"{cte} AS ("
                + _aggregate_sql(
                    table.name,
                    q(metrics[0].unit),
                    dt_name,
                    lo,
                    hi,
                    window,
                    columns_,
                    extra,
                    period=period,
                    rows=main,
                    dialect=dialect,
                )
                + ")"
            )
            joins += f"\n  LEFT JOIN {cte} ON {cte}.{q('unit_id')} = u.{q('unit_id')}"
    unit_cols = [
        f"u.{q('unit_id')} AS {q('unit_id')}",
        f"CASE WHEN u.{q('assigned_on')} <= {lit(window.end)} THEN u.{q(ARM)} END AS {q(ARM)}",
        f"u.{q('arm_count')} AS {q('arm_count')}",
        f"u.{q('assigned_on')} AS {q('assigned_on')}",
        f"COALESCE(post_period.{q('row_count')}, 0) AS {q(POST_ROWS)}",
        f"post_period.{q(LAST_DAY)} AS {q(LAST_DAY)}",
    ]
    unit_cols += [f"COALESCE(post_period.{q(a)}, 0) AS {q(a)}" for a in null_cols.values()]
    if use_pre:
        unit_cols += [
            f"COALESCE(pre_period.{q('row_count')}, 0) AS {q(PRE_ROWS)}",
            f"pre_period.{q(FIRST_PRE_DAY)} AS {q(FIRST_PRE_DAY)}",
        ]
    for (_, period), column in raw.items():
        cte = next(c for c, cols in aggregates[period].ctes.items() if column in cols.values())
        unit_cols.append(f"CAST(COALESCE({cte}.{q(column)}, 0) AS DOUBLE) AS {q(column)}")
    if unit_table is not None:
        ctes.append(
            f"known_units AS (SELECT DISTINCT {q(unit_table.column)} AS {q('unit_id')} "
            f"FROM {q(unit_table.table)})"
        )
        joins += f"\n  LEFT JOIN known_units AS k ON k.{q('unit_id')} = u.{q('unit_id')}"
        unit_cols.append(
            f"CASE WHEN k.{q('unit_id')} IS NULL THEN 1 ELSE 0 END AS {q(NOT_IN_UNIT_TABLE)}"
        )
    else:
        unit_cols.append(f"0 AS {q(NOT_IN_UNIT_TABLE)}")
    ctes.append(
        "unit_values AS (SELECT "
        + ",\n  ".join(unit_cols)
        + f"\n  FROM assigned_units AS u{joins})"
    )
    ctes.append(
        "unit_caps AS (SELECT "
        + ",\n  ".join(cap_sql or ["1 AS one"])
        + f"\n  FROM unit_values AS v WHERE v.{q(ARM)} IS NOT NULL)"
    )

    top: dict[float, tuple[str, str]] = {}
    top_name = None
    if top_metric is not None and segment is None:
        top_name = metric_y.get(top_metric)
        if top_name is not None:
            centred_sql.append(
                f"ROW_NUMBER() OVER (PARTITION BY v.{q(ARM)} ORDER BY "
                f"{centred_expr[top_name]} DESC) AS {q('top_rank')}"
            )
            centred_sql.append(f"COUNT(*) OVER (PARTITION BY v.{q(ARM)}) AS {q('arm_units')}")
            for share in TOP_SHARES:
                label = f"{share * 100:g}".replace(".", "_")
                s_alias = names.new(f"{top_name}_top_{label}pct_sum")
                n_alias = names.new(f"{top_name}_top_{label}pct_units")
                inside = f"cu.{q('top_rank')} <= CEIL(cu.{q('arm_units')} * {share!r})"
                final.append(f"SUM(CASE WHEN {inside} THEN cu.{q(top_name)} END) AS {q(s_alias)}")
                final.append(f"SUM(CASE WHEN {inside} THEN 1 ELSE 0 END) AS {q(n_alias)}")
                top[share] = (s_alias, n_alias)

    carried = [
        f"v.{q(c)} AS {q(c)}"
        for c in (
            ARM,
            "unit_id",
            "arm_count",
            "assigned_on",
            POST_ROWS,
            LAST_DAY,
            NOT_IN_UNIT_TABLE,
        )
    ]
    carried += [f"v.{q(a)} AS {q(a)}" for a in null_cols.values()]
    if use_pre:
        carried += [
            f"v.{q(PRE_ROWS)} AS {q(PRE_ROWS)}",
            f"v.{q(FIRST_PRE_DAY)} AS {q(FIRST_PRE_DAY)}",
        ]
    ctes.append(
        "centred AS (SELECT "
        + ",\n  ".join(carried + centred_sql)
        + "\n  FROM unit_values AS v CROSS JOIN unit_caps AS c)"
    )

    health = [
        f"COUNT(*) AS {q(UNITS)}",
        f"SUM(cu.{q(POST_ROWS)}) AS {q(POST_ROWS)}",
        f"SUM(CASE WHEN cu.{q('arm_count')} > 1 THEN 1 ELSE 0 END) AS {q(SEVERAL_ARMS)}",
        f"SUM(CASE WHEN cu.{q('arm_count')} = 0 THEN 1 ELSE 0 END) AS {q(NO_VARIANT)}",
        f"SUM(CASE WHEN cu.{q('arm_count')} = 1 AND cu.{q('assigned_on')} > {lit(window.end)} "
        f"THEN 1 ELSE 0 END) AS {q(AFTER_END)}",
        f"SUM(CASE WHEN cu.{q('assigned_on')} < {lit(window.start)} THEN 1 ELSE 0 END) "
        f"AS {q(BEFORE_START)}",
        f"SUM(cu.{q(NOT_IN_UNIT_TABLE)}) AS {q(NOT_IN_UNIT_TABLE)}",
        f"MAX(cu.{q(LAST_DAY)}) AS {q(LAST_DAY)}",
    ]
    health += [f"SUM(cu.{q(a)}) AS {q(a)}" for a in null_cols.values()]
    if use_pre:
        health += [
            f"SUM(cu.{q(PRE_ROWS)}) AS {q(PRE_ROWS)}",
            f"SUM(CASE WHEN cu.{q(PRE_ROWS)} > 0 THEN 1 ELSE 0 END) AS {q(PRE_UNITS)}",
            f"MIN(cu.{q(FIRST_PRE_DAY)}) AS {q(FIRST_PRE_DAY)}",
        ]
    group_keys = [f"cu.{q(ARM)}"]
    select_keys = [f"cu.{q(ARM)} AS {q(ARM)}"]
    segment_join = ""
    if segment is not None:
        segment_join = (
            f"\n  LEFT JOIN {q(segment.table)} AS s ON s.{q(segment.unit_column)} = "
            f"cu.{q('unit_id')}"
        )
        for col in segment.columns:
            group_keys.append(f"s.{q(col)}")
            select_keys.append(f"s.{q(col)} AS {q(col)}")
    sql = (
        "WITH "
        + ",\n".join(ctes)
        + "\nSELECT "
        + ",\n  ".join(select_keys + health + final)
        + f"\nFROM centred AS cu CROSS JOIN unit_caps AS caps{segment_join}"
        + f"\nGROUP BY {', '.join(group_keys)}"
        + f"\nORDER BY {', '.join(group_keys)}"
    )
    return StatsLayout(
        sql=sql,
        metrics=tuple(metrics),
        cuped=use_pre,
        segment_columns=segment.columns if segment else (),
        sums=layout_sums,
        caps=layout_caps,
        nulls=null_cols,
        top=top,
        top_metric=top_metric if top else None,
        unit_table=unit_table.table if unit_table else None,
        columns=layout_columns,
    )


def _aggregate_sql(
    table: str,
    unit: str,
    dt_name: str,
    lo: date,
    hi: date,
    window: ExperimentWindow,
    columns: dict[str, str],
    extra: list[str],
    *,
    period: int,
    rows: bool,
    dialect: str,
) -> str:
    """One row per assigned unit with rows in [lo, hi]: the row count (if `rows`) and `columns`.

    Rows are the metric table's (alias `j`) joined to the units. In the unit's own window
    only rows on or after its assignment date count; in the pre-period only rows before it.
    """
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt = f"j.{q(dt_name)}"
    select = [f"u.{q('unit_id')} AS {q('unit_id')}"]
    if rows:
        select.append(f"COUNT(*) AS {q('row_count')}")
    select += extra
    select += [f"{sql} AS {q(alias)}" for sql, alias in columns.items()]
    where = f"{dt} BETWEEN {lit(lo)} AND {lit(hi)}"
    where += "".join(f" AND j.{q(col)} = {lit(value)}" for col, value in window.scope.items())
    where += f" AND {dt} {'>=' if period == _POST else '<'} u.{q('assigned_on')}"
    return (
        f"SELECT {', '.join(select)}\n    FROM assigned_units AS u JOIN {q(table)} AS j "
        f"ON j.{unit} = u.{q('unit_id')}\n    WHERE {where}\n    GROUP BY u.{q('unit_id')}"
    )


def _base_aggregate(
    expression: str,
    table: Table,
    dt_name: str,
    lo: date,
    hi: date,
    dialect: str,
    *,
    portable: bool = False,
) -> tuple[str, bool]:
    """A metric expression over the rows `j` of one period, and whether it needs its own CTE.

    DISTINCT aggregates are slow in a GROUP BY with many groups (DuckDB turns them into a
    second grouping on (unit, value)) and get a CTE each. The common one, COUNT(DISTINCT
    <the date column>) ("active days"), is rewritten exactly for DuckDB: the period spans at
    most a few hundred days, so each unit's days fit in a bitmask per 64 days, OR-ed
    together and counted — a plain aggregate, several times faster.
    """
    qualified_sql = qualified(expression, "j", dialect)
    tree = parse_one(qualified_sql, read=dialect)
    if not any(isinstance(n, exp.Distinct) for n in tree.walk()):
        return qualified_sql, False
    column = table.column(dt_name)
    is_date = column is not None and column.type.strip().upper() == "DATE"
    distinct = tree.this if isinstance(tree, exp.Count) else None
    if (
        dialect == "duckdb"
        and not portable
        and is_date
        and isinstance(distinct, exp.Distinct)
        and len(distinct.expressions) == 1
        and isinstance(distinct.expressions[0], exp.Column)
        and distinct.expressions[0].name.lower() == dt_name.lower()
    ):
        return distinct_days(f"j.{quote(dt_name, dialect)}", lo, hi, dialect), False
    return tree.sql(dialect=dialect), True
