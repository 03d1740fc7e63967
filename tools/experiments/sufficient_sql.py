"""SQL that makes the warehouse compute per-arm sufficient statistics of experiment metrics.

Everything comes from the catalog: the assignment table and its columns (`ExperimentSource`),
the metric table, its date column and unit, and each metric's SQL aggregates. The shape of
the statistics query:

    u      one row per assigned unit: its arm and first assignment date
    e      metric-table rows in [pre-period start or experiment start, experiment end]
           (the partition filter the validator requires) and in the experiment's scope
    j      u JOIN e, each row tagged with its period: 1 in the unit's own window (its
           assignment date to the end), 0 in the CUPED pre-period, NULL otherwise
    a      each distinct metric expression aggregated once per (unit, period); DISTINCT
           aggregates in their own CTE (much faster in DuckDB than mixed in one GROUP BY)
    pu     one row per assigned unit: u LEFT JOIN a per period, COALESCE(…, 0) so units
           without activity count as zeros, winsorisation caps applied here
    final  per arm (and segment): n and every sum and sum of products, each computed once

One scan of the metric table serves every metric on it and both periods. Identifiers are
quoted; literals are rendered by sqlglot for the target dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from sqlglot import exp, parse_one

from tools.catalog.model import Catalog, ExperimentSource, Metric, MetricKind, Table
from tools.errors import ExperimentError

# Output column aliases of the per-arm query; `arm` and the segment columns come first.
ARM = "arm"
UNITS = "n"
POST_ROWS = "post_rows"
PRE_ROWS = "pre_rows"


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


@dataclass(frozen=True)
class StatsLayout:
    """Which output column holds which sum: `sums[(metric, name)]` -> column alias.

    Variables per metric: mean/proportion `y` (and with CUPED its pre-period value `x`); ratio
    numerator `x` and denominator `y` (and with CUPED their pre-period twins `px`, `py`).
    Names are the variables (their sums) and "a*b" for the sums of products.
    """

    sql: str
    metrics: tuple[Metric, ...]
    cuped: bool
    segment_columns: tuple[str, ...] = ()
    sums: dict[tuple[str, str], str] = field(default_factory=dict)


def quote(name: str, dialect: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect)


def literal(value: str | date | float, dialect: str) -> str:
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE").sql(dialect=dialect)
    if isinstance(value, str):
        return exp.Literal.string(value).sql(dialect=dialect)
    return exp.Literal.number(value).sql(dialect=dialect)


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


def qualified(expression: str, alias: str, dialect: str) -> str:
    """A metric expression with every column read from `alias` (quoted), in `dialect`."""
    tree = parse_one(expression, read=dialect)
    if not any(isinstance(n, exp.AggFunc) for n in tree.walk()):
        raise ExperimentError(
            f"Metric expression {expression!r} has no aggregate",
            hint="Metric numerators and denominators aggregate per unit, "
            "e.g. SUM(saves) or COUNT(DISTINCT dt).",
        )
    for column in tree.find_all(exp.Column):
        column.set("table", exp.to_identifier(alias))
        if isinstance(column.this, exp.Identifier):
            column.this.set("quoted", True)
    return tree.sql(dialect=dialect)


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


# Column names the builder adds next to the metric table's own columns.
_UNIT, _PERIOD, _ROWS = "_lablens_unit", "_lablens_period", "_lablens_rows"


def stats_sql(
    catalog: Catalog,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    cuped: bool,
    segment: SegmentJoin | None = None,
    dialect: str = "duckdb",
) -> StatsLayout:
    """The per-arm (per-segment) sufficient statistics query for `metrics` (one table).

    Each distinct metric expression is aggregated once per (unit, period) — period 1 is the
    unit's own window, 0 the pre-period — then pivoted to one row per assigned unit, where
    winsorisation caps apply; every sum and sum of products is computed once, however many
    metrics share it (e.g. impressions as the denominator of several ratios).
    """
    source = experiment_source(catalog)
    table = metric_table(catalog, metrics)
    use_pre = cuped and window.pre_start is not None
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt = q(date_column(table, source))
    unit = q(metrics[0].unit)
    if any(m.unit.lower() != metrics[0].unit.lower() for m in metrics):
        raise ExperimentError("Metrics analysed together must share one unit column")

    bases: dict[str, str] = {}  # expression SQL -> base alias, each aggregated once
    variables: dict[tuple[str, int, float | None], str] = {}  # (base, period, cap) -> column
    per_unit: list[str] = []
    sums: dict[tuple[str, str], str] = {}
    sum_sql: dict[str, str] = {}  # sum expression -> alias, each summed once
    final = [f"COUNT(*) AS {q(UNITS)}", f"SUM(pu.{q(POST_ROWS)}) AS {q(POST_ROWS)}"]
    if use_pre:
        final.append(f"SUM(pu.{q(PRE_ROWS)}) AS {q(PRE_ROWS)}")

    def column_for(expression: str, period: int, cap: float | None) -> str:
        base_sql = qualified(expression, "j", dialect)
        base = bases.setdefault(base_sql, f"b{len(bases)}")
        key = (base, period, cap)
        if key not in variables:
            name = f"v{len(variables)}"
            variables[key] = name
            side = "p1" if period == 1 else "p0"
            value: exp.Expr = exp.cast(
                exp.Coalesce(
                    this=exp.column(base, table=side, quoted=True),
                    expressions=[exp.Literal.number(0)],
                ),
                "DOUBLE",
            )
            if cap is not None:
                value = exp.func("LEAST", value, exp.Literal.number(cap))
            per_unit.append(f"{value.sql(dialect=dialect)} AS {q(name)}")
        return variables[key]

    def add_sum(expression: str) -> str:
        if expression not in sum_sql:
            sum_sql[expression] = f"s{len(sum_sql)}"
            final.append(f"SUM({expression}) AS {q(sum_sql[expression])}")
        return sum_sql[expression]

    for metric in metrics:
        columns: dict[str, str] = {}
        for var, period, expression in _variables(metric, use_pre):
            # The cap applies to a per-unit value; for ratios, to the numerator.
            capped = metric.kind is not MetricKind.RATIO or var in ("x", "px")
            columns[var] = column_for(expression, period, metric.winsorize_at if capped else None)
            sums[(metric.name, var)] = add_sum(f"pu.{q(columns[var])}")
        names = list(columns)
        for i, a in enumerate(names):
            for b in names[i:]:
                pair = sorted((columns[a], columns[b]))
                sums[(metric.name, f"{a}*{b}")] = add_sum(f"pu.{q(pair[0])} * pu.{q(pair[1])}")

    lo = window.pre_start if use_pre and window.pre_start is not None else window.start
    scope = "".join(f" AND {q(col)} = {lit(value)}" for col, value in window.scope.items())
    tag = f"CASE WHEN e.{dt} >= u.{q('assigned_on')} AND e.{dt} >= {lit(window.start)} THEN 1"
    if use_pre:
        tag += f" WHEN e.{dt} < {lit(window.start)} THEN 0"
    tag += " END"
    aggregate_ctes = _aggregate_ctes(bases, dialect)
    # Only the columns the metrics read: the joined rows may be materialised once for all.
    needed = ", ".join(
        f"e.{q(c)} AS {q(c)}" for c in sorted({c for b in bases for c in _columns(b, dialect)})
    )
    joins = f"LEFT JOIN a AS p1 ON p1.{q(_UNIT)} = u.{q('unit_id')} AND p1.{q(_PERIOD)} = 1"
    counts = [f"COALESCE(p1.{q(_ROWS)}, 0) AS {q(POST_ROWS)}"]
    if use_pre:
        joins += (
            f"\n  LEFT JOIN a AS p0 ON p0.{q(_UNIT)} = u.{q('unit_id')} AND p0.{q(_PERIOD)} = 0"
        )
        counts.append(f"COALESCE(p0.{q(_ROWS)}, 0) AS {q(PRE_ROWS)}")
    group_keys = [f"pu.{q(ARM)}"]
    select_keys = [f"pu.{q(ARM)} AS {q(ARM)}"]
    segment_join = ""
    if segment is not None:
        segment_join = (
            f" LEFT JOIN {q(segment.table)} AS s ON s.{q(segment.unit_column)} = pu.{q('unit_id')}"
        )
        for col in segment.columns:
            group_keys.append(f"s.{q(col)}")
            select_keys.append(f"s.{q(col)} AS {q(col)}")
    sql = (
        f"WITH u AS ({_units_cte(source, window, dialect)}),\n"
        f"e AS (SELECT * FROM {q(table.name)} WHERE {dt} BETWEEN {lit(lo)} AND "
        f"{lit(window.end)}{scope}),\n"
        f"j AS (SELECT u.{q('unit_id')} AS {q(_UNIT)}, {tag} AS {q(_PERIOD)}, {needed} "
        f"FROM u JOIN e ON e.{unit} = u.{q('unit_id')}),\n"
        f"{aggregate_ctes},\n"
        f"pu AS (SELECT u.{q('unit_id')} AS {q('unit_id')}, u.{q(ARM)} AS {q(ARM)}, "
        + ", ".join(counts)
        + ",\n  "
        + ",\n  ".join(per_unit)
        + f"\n  FROM u {joins})\n"
        f"SELECT {', '.join(select_keys)},\n  "
        + ",\n  ".join(final)
        + f"\nFROM pu{segment_join}\nGROUP BY {', '.join(group_keys)}\n"
        f"ORDER BY {', '.join(group_keys)}"
    )
    return StatsLayout(
        sql=sql,
        metrics=tuple(metrics),
        cuped=use_pre,
        segment_columns=segment.columns if segment else (),
        sums=sums,
    )


def _columns(sql: str, dialect: str) -> set[str]:
    return {c.name for c in parse_one(sql, read=dialect).find_all(exp.Column)}


def _has_distinct(sql: str, dialect: str) -> bool:
    return any(isinstance(n, exp.Distinct) for n in parse_one(sql, read=dialect).walk())


def _aggregate_ctes(bases: dict[str, str], dialect: str) -> str:
    """CTEs ending in `a`: one row per (unit, period) with the row count and every base.

    Aggregates with DISTINCT get a CTE each: mixed with plain aggregates in one GROUP BY,
    DuckDB's distinct path is several times slower than the two computed apart.
    """
    q = partial(quote, dialect=dialect)
    keys = f"j.{q(_UNIT)} AS {q(_UNIT)}, j.{q(_PERIOD)} AS {q(_PERIOD)}"
    tail = f"FROM j WHERE j.{q(_PERIOD)} IS NOT NULL GROUP BY j.{q(_UNIT)}, j.{q(_PERIOD)}"
    plain = [(sql, alias) for sql, alias in bases.items() if not _has_distinct(sql, dialect)]
    distinct = [(sql, alias) for sql, alias in bases.items() if _has_distinct(sql, dialect)]
    columns = "".join(f", {sql} AS {q(alias)}" for sql, alias in plain)
    ctes = [f"a0 AS (SELECT {keys}, COUNT(*) AS {q(_ROWS)}{columns} {tail})"]
    select = [
        f"a0.{q(_UNIT)} AS {q(_UNIT)}",
        f"a0.{q(_PERIOD)} AS {q(_PERIOD)}",
        f"a0.{q(_ROWS)} AS {q(_ROWS)}",
    ]
    select += [f"a0.{q(alias)} AS {q(alias)}" for _, alias in plain]
    joins = ""
    for i, (sql, alias) in enumerate(distinct, start=1):
        ctes.append(f"a{i} AS (SELECT {keys}, {sql} AS {q(alias)} {tail})")
        select.append(f"a{i}.{q(alias)} AS {q(alias)}")
        joins += (
            f" LEFT JOIN a{i} ON a{i}.{q(_UNIT)} = a0.{q(_UNIT)}"
            f" AND a{i}.{q(_PERIOD)} = a0.{q(_PERIOD)}"
        )
    ctes.append(f"a AS (SELECT {', '.join(select)} FROM a0{joins})")
    return ",\n".join(ctes)


def _units_cte(source: ExperimentSource, window: ExperimentWindow, dialect: str) -> str:
    """One row per assigned unit (first assignment date), assigned by the experiment's end."""
    q = partial(quote, dialect=dialect)
    return (
        f"SELECT {q(source.unit_column)} AS {q('unit_id')}, "
        f"{q(source.variant_column)} AS {q(ARM)}, "
        f"MIN({q(source.assigned_date_column)}) AS {q('assigned_on')} "
        f"FROM {q(source.assignment_table)} "
        f"WHERE {q(source.experiment_column)} = {literal(window.experiment_id, dialect)} "
        f"AND {q(source.assigned_date_column)} <= {literal(window.end, dialect)} "
        f"GROUP BY {q(source.unit_column)}, {q(source.variant_column)}"
    )


def arm_counts_sql(catalog: Catalog, window: ExperimentWindow, *, dialect: str = "duckdb") -> str:
    """Units per arm (the SRM check's input), counted like the statistics query counts them."""
    q = partial(quote, dialect=dialect)
    units = _units_cte(experiment_source(catalog), window, dialect)
    return (
        f"WITH u AS ({units})\nSELECT u.{q(ARM)} AS {q(ARM)}, COUNT(*) AS {q(UNITS)} "
        f"FROM u GROUP BY u.{q(ARM)} ORDER BY u.{q(ARM)}"
    )


def daily_sql(
    catalog: Catalog,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    dialect: str = "duckdb",
) -> str:
    """Per arm and day: each metric's numerator (and denominator) summed over the units
    active that day since their assignment. Columns: arm, day, m{i}_num, m{i}_den."""
    source = experiment_source(catalog)
    table = metric_table(catalog, metrics)
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt = q(date_column(table, source))
    unit = q(metrics[0].unit)
    per_unit_day, final = [], []
    for i, metric in enumerate(metrics):
        parts = [("num", metric.numerator)]
        if metric.denominator:
            parts.append(("den", metric.denominator))
        for name, expression in parts:
            value = qualified(expression, "e", dialect)
            per_unit_day.append(f"{value} AS {q(f'm{i}_{name}')}")
            final.append(f"SUM(d.{q(f'm{i}_{name}')}) AS {q(f'm{i}_{name}')}")
    scope = "".join(f" AND {q(col)} = {lit(value)}" for col, value in window.scope.items())
    return (
        f"WITH u AS ({_units_cte(source, window, dialect)}),\n"
        f"e AS (SELECT * FROM {q(table.name)} WHERE {dt} BETWEEN {lit(window.start)} AND "
        f"{lit(window.end)}{scope}),\n"
        f"d AS (SELECT u.{q(ARM)} AS {q(ARM)}, e.{dt} AS {q('day')}, "
        + ", ".join(per_unit_day)
        + f" FROM u JOIN e ON e.{unit} = u.{q('unit_id')} AND e.{dt} >= u.{q('assigned_on')}"
        f" GROUP BY u.{q(ARM)}, e.{dt}, u.{q('unit_id')})\n"
        f"SELECT d.{q(ARM)} AS {q(ARM)}, d.{q('day')} AS {q('day')}, "
        + ", ".join(final)
        + f" FROM d GROUP BY d.{q(ARM)}, d.{q('day')} ORDER BY d.{q(ARM)}, d.{q('day')}"
    )


def assigned_by_day_sql(
    catalog: Catalog, window: ExperimentWindow, *, dialect: str = "duckdb"
) -> str:
    """Units newly assigned per arm and day (cumulated in Python for daily per-unit means)."""
    q = partial(quote, dialect=dialect)
    return (
        f"WITH u AS ({_units_cte(experiment_source(catalog), window, dialect)})\n"
        f"SELECT u.{q(ARM)} AS {q(ARM)}, u.{q('assigned_on')} AS {q('day')}, "
        f"COUNT(*) AS {q(UNITS)} FROM u GROUP BY u.{q(ARM)}, u.{q('assigned_on')} "
        f"ORDER BY u.{q(ARM)}, u.{q('assigned_on')}"
    )


def experiment_source(catalog: Catalog) -> ExperimentSource:
    """The catalog's experiment source, or an `ExperimentError` saying how to add one."""
    if catalog.experiments is None:
        raise ExperimentError(
            "The catalog has no experiment source",
            hint="Add an `experiments:` section to the catalog (assignment "
            "table, unit, variant and date columns, metadata table).",
        )
    return catalog.experiments
