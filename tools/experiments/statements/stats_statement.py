"""SQL that makes the warehouse compute per-arm sufficient statistics of experiment metrics.

Everything comes from the catalog: the assignment table and its columns (`ExperimentSource`),
the metric table, its date column and unit, and each metric's SQL aggregates. The shape of
the statistics query:

    u      one row per assigned unit: its arm and first assignment date
    a1     per unit: the row count and each distinct metric expression over the unit's own
           window (metric-table rows from its assignment date, and the start, to the end)
    a0     the same over the CUPED pre-period (the days before the start)
           Both read the metric table through the date filter the validator requires and
           the experiment's scope; their date ranges are disjoint, so the two GROUP BYs
           together aggregate each row once, keyed by the unit alone. A DISTINCT aggregate
           DuckDB cannot do cheaply gets a CTE of its own (`a1_1` …); COUNT(DISTINCT <date>)
           becomes an exact bitmask count (`_base_aggregate`).
    pu     one row per assigned unit: u LEFT JOIN the aggregates, COALESCE(…, 0) so units
           without activity count as zeros, winsorisation caps applied here
    final  per arm (and segment): n and every sum and sum of products, each computed once

Every metric on the table shares the two aggregations. Identifiers are
quoted; literals are rendered by sqlglot for the target dialect.
"""

from __future__ import annotations

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
_UNIT, _ROWS = "_lablens_unit", "_lablens_rows"
# Periods: 1 is the unit's own window (assignment date to the end), 0 the CUPED pre-period.
_POST, _PRE = 1, 0


@dataclass
class _Aggregates:
    """One period's per-unit aggregates: CTE name -> {base SQL: column alias}.

    The main CTE (`a1` / `a0`) holds the row count and every plain aggregate; a DISTINCT
    aggregate the engine cannot do cheaply gets a CTE of its own (see `_base_aggregate`).
    """

    period: int
    ctes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ctes.setdefault(self.main, {})

    @property
    def main(self) -> str:
        return f"a{self.period}"

    def column(self, base_sql: str, *, alone: bool) -> tuple[str, str]:
        """(CTE, column) computing `base_sql` per unit in this period, added if new."""
        for cte, columns in self.ctes.items():
            if base_sql in columns:
                return cte, columns[base_sql]
        alias = f"b{self.period}_{sum(len(c) for c in self.ctes.values())}"
        cte = f"{self.main}_{len(self.ctes)}" if alone else self.main
        self.ctes.setdefault(cte, {})[base_sql] = alias
        return cte, alias


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

    Each distinct metric expression is aggregated once per unit and period — the unit's own
    window and the pre-period in separate GROUP BYs over disjoint date ranges — then joined
    to one row per assigned unit, where winsorisation caps apply; every sum and sum of
    products is computed once, however many metrics share it (e.g. impressions as the
    denominator of several ratios).
    """
    source = experiment_source(catalog)
    table = metric_table(catalog, metrics)
    use_pre = cuped and window.pre_start is not None
    q = partial(quote, dialect=dialect)
    dt_name = date_column(table, source)
    unit = q(metrics[0].unit)
    if any(m.unit.lower() != metrics[0].unit.lower() for m in metrics):
        raise ExperimentError("Metrics analysed together must share one unit column")
    ranges = {_POST: (window.start, window.end)}
    if use_pre and window.pre_start is not None:
        ranges[_PRE] = (window.pre_start, window.start - timedelta(days=1))
    aggregates = {p: _Aggregates(p) for p in ranges}

    variables: dict[tuple[str, str, float | None], str] = {}  # (cte, column, cap) -> name
    per_unit: list[str] = []
    sums: dict[tuple[str, str], str] = {}
    sum_sql: dict[str, str] = {}  # sum expression -> alias, each summed once
    final = [f"COUNT(*) AS {q(UNITS)}", f"SUM(pu.{q(POST_ROWS)}) AS {q(POST_ROWS)}"]
    if use_pre:
        final.append(f"SUM(pu.{q(PRE_ROWS)}) AS {q(PRE_ROWS)}")

    bases: dict[tuple[str, int], tuple[str, bool]] = {}  # parsed once per expression

    def column_for(expression: str, period: int, cap: float | None) -> str:
        lo, hi = ranges[period]
        if (expression, period) not in bases:
            bases[(expression, period)] = _base_aggregate(
                expression, table, dt_name, lo, hi, dialect
            )
        base_sql, alone = bases[(expression, period)]
        cte, column = aggregates[period].column(base_sql, alone=alone)
        key = (cte, column, cap)
        if key not in variables:
            name = f"v{len(variables)}"
            variables[key] = name
            value: exp.Expr = exp.cast(
                exp.Coalesce(
                    this=exp.column(column, table=cte, quoted=True),
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

    ctes = [f"u AS ({units_cte(source, window, dialect)})"]
    joins = ""
    for period, agg in aggregates.items():
        lo, hi = ranges[period]
        for cte, columns in agg.ctes.items():
            ctes.append(
                f"{cte} AS ("
                + _aggregate_sql(
                    table.name,
                    unit,
                    dt_name,
                    lo,
                    hi,
                    window,
                    columns,
                    own_window=period == _POST,
                    rows=cte == agg.main,
                    dialect=dialect,
                )
                + ")"
            )
            joins += f"\n  LEFT JOIN {cte} ON {cte}.{q(_UNIT)} = u.{q('unit_id')}"
    counts = [f"COALESCE(a1.{q(_ROWS)}, 0) AS {q(POST_ROWS)}"]
    if use_pre:
        counts.append(f"COALESCE(a0.{q(_ROWS)}, 0) AS {q(PRE_ROWS)}")
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
    ctes.append(
        f"pu AS (SELECT u.{q('unit_id')} AS {q('unit_id')}, u.{q(ARM)} AS {q(ARM)}, "
        + ", ".join(counts)
        + ",\n  "
        + ",\n  ".join(per_unit)
        + f"\n  FROM u{joins})"
    )
    sql = (
        "WITH "
        + ",\n".join(ctes)
        + f"\nSELECT {', '.join(select_keys)},\n  "
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


def _aggregate_sql(
    table: str,
    unit: str,
    dt_name: str,
    lo: date,
    hi: date,
    window: ExperimentWindow,
    columns: dict[str, str],
    *,
    own_window: bool,
    rows: bool,
    dialect: str,
) -> str:
    """One row per assigned unit with rows in [lo, hi]: the row count (if `rows`) and `columns`.

    Rows are the metric table's (alias `j`) joined to the units; in the unit's own window
    only rows on or after its assignment date count.
    """
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt = f"j.{q(dt_name)}"
    select = [f"u.{q('unit_id')} AS {q(_UNIT)}"]
    if rows:
        select.append(f"COUNT(*) AS {q(_ROWS)}")
    select += [f"{sql} AS {q(alias)}" for sql, alias in columns.items()]
    where = f"{dt} BETWEEN {lit(lo)} AND {lit(hi)}"
    where += "".join(f" AND j.{q(col)} = {lit(value)}" for col, value in window.scope.items())
    if own_window:
        where += f" AND {dt} >= u.{q('assigned_on')}"
    return (
        f"SELECT {', '.join(select)} FROM u JOIN {q(table)} AS j ON j.{unit} = u.{q('unit_id')} "
        f"WHERE {where} GROUP BY u.{q('unit_id')}"
    )


def _base_aggregate(
    expression: str, table: Table, dt_name: str, lo: date, hi: date, dialect: str
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
        and is_date
        and isinstance(distinct, exp.Distinct)
        and len(distinct.expressions) == 1
        and isinstance(distinct.expressions[0], exp.Column)
        and distinct.expressions[0].name.lower() == dt_name.lower()
    ):
        return distinct_days(f"j.{quote(dt_name, dialect)}", lo, hi, dialect), False
    return tree.sql(dialect=dialect), True
