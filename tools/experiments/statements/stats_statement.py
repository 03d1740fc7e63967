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
    unit_values      one row per assigned unit: the aggregates, 0 for units without activity,
                     and whether the unit table lists it
    unit_caps        per variable: the winsorisation cap (a percentile of the pooled
                     per-unit values of analysed units) and a centring shift (their mean)
    centred          per unit: capped values minus the shift (sums of centred values keep
                     their precision at any magnitude), and the primary's rank in its arm
    arm_sums         per arm (and segment): n, every sum and sum of products once, and the
                     health counts
    (output)         arm_sums with the caps and shifts beside each row

Units in several arms, with no variant, or assigned after the end have arm NULL: they form
one extra output row, which the analysis reads only for its health counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from tools.catalog.model import Catalog, Metric, MetricKind
from tools.errors import ExperimentError
from tools.experiments.statements.experiment_source import experiment_source
from tools.experiments.statements.health_columns import arm_health, period_health, top_units
from tools.experiments.statements.quoting import literal, quote
from tools.experiments.statements.stats_layout import (
    ARM_SUMS,
    FIRST_PRE_DAY,
    LAST_DAY,
    NOT_IN_UNIT_TABLE,
    POST_ROWS,
    PRE_ROWS,
    PRE_UNITS,
    CapSpec,
    StatsLayout,
    UnitTable,
)
from tools.experiments.statements.unit_aggregates import (
    POST,
    PRE,
    Names,
    PeriodAggregates,
    aggregate_sql,
    base_aggregate,
    null_columns,
)
from tools.experiments.statements.units import ARM, UNITS, units_cte
from tools.experiments.statements.window import (
    ExperimentWindow,
    SegmentJoin,
    date_column,
    metric_table,
)


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
    health: bool = True,
) -> StatsLayout:
    """The per-arm (per-segment) statistics and health statement for `metrics` (one table).

    `caps` maps mean metrics to their winsorisation (None: the catalog's fixed
    `winsorize_at` caps; a metric absent from a given mapping is not capped); `unit_table` adds the
    count of assigned units it lacks; `top_metric` (a mean metric) adds its top units' sums
    per arm (the concentration check). Each distinct expression is aggregated once per unit
    and period, and every sum once, however many metrics share it. `portable` keeps
    COUNT(DISTINCT …) as written (no DuckDB bitmask), for other engines. `health=False`
    leaves out the health counts, only to measure what they cost (`bench_experiment.py`).
    """
    source = experiment_source(catalog)
    table = metric_table(catalog, metrics)
    use_pre = cuped and window.pre_start is not None
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt_name = date_column(table, source)
    if any(m.unit.lower() != metrics[0].unit.lower() for m in metrics):
        raise ExperimentError("Metrics analysed together must share one unit column")
    ranges = {POST: (window.start, window.end)}
    if use_pre and window.pre_start is not None:
        ranges[PRE] = (window.pre_start, window.start - timedelta(days=1))
    names = Names(
        [ARM, UNITS, POST_ROWS, PRE_ROWS, PRE_UNITS, "unit_id", "arm_count", "assigned_on"]
    )
    aggregates = {p: PeriodAggregates(p, names) for p in ranges}
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
    caps_out: list[str] = []  # unit_caps columns the output carries (one value per statement)
    layout_sums: dict[tuple[str, str], str] = {}
    layout_caps: dict[str, tuple[str | None, float | None, float | None]] = {}
    layout_columns: dict[tuple[str, str], str] = {}

    def raw_column(expression: str, period: int) -> str:
        if (expression, period) not in raw:
            lo, hi = ranges[period]
            if (expression, period) not in bases:
                bases[(expression, period)] = base_aggregate(
                    expression, table, dt_name, lo, hi, dialect, portable=portable
                )
            base_sql, alone = bases[(expression, period)]
            _cte, column = aggregates[period].column(base_sql, expression, alone=alone)
            raw[(expression, period)] = column
        return raw[(expression, period)]

    def centred_column(metric: Metric, var: str, period: int, expression: str) -> str:
        spec = caps.get(metric.name) if metric.kind is MetricKind.MEAN else None
        if spec is not None and spec.level is not None and period == PRE:
            # The CUPED covariate is not capped by percentile: any covariate keeps the
            # estimate unbiased, and each percentile costs a sort of every unit's value.
            spec = None
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
        # A mean metric's per-unit value is named after the metric; ratio parts after
        # their expression (they are shared: SUM(impressions) is many ratios' denominator).
        base = ("pre_" if period == PRE else "") + metric.name
        if spec is None:
            name = names.new(base if metric.kind is not MetricKind.RATIO else f"{column}_centred")
            value = v
        else:
            name = names.new(base)
            if spec.level is not None:
                cap_name = names.new(f"{base}_cap")
                cap_sql.append(f"QUANTILE_CONT({v}, {spec.level!r}) AS {q(cap_name)}")
                cap_ref = f"c.{q(cap_name)}"
                caps_out.append(cap_name)
                if period == POST:
                    layout_caps[metric.name] = (cap_name, None, spec.level)
            else:
                cap_ref = lit(float(spec.value or 0))
                if period == POST:
                    layout_caps[metric.name] = (None, spec.value, None)
            value = f"LEAST({v}, {cap_ref})"
        shift = names.new(f"{name}_shift")
        cap_sql.append(f"AVG({v}) AS {q(shift)}")
        centred_sql.append(f"{value} - c.{q(shift)} AS {q(name)}")
        centred_expr[name] = f"{value} - c.{q(shift)}"
        caps_out.append(shift)
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
    null_cols = {c: names.new(f"{c}_null_rows") for c in null_columns(metrics, dialect)}
    post_extra, pre_extra = period_health(dt_name, null_cols, q)
    if not health:
        null_cols, post_extra, pre_extra, unit_table, top_metric = {}, [], [], None, None

    ctes = [f"assigned_units AS ({units_cte(source, window, dialect)})"]
    joins = ""
    for period, agg in aggregates.items():
        lo, hi = ranges[period]
        for cte, columns_ in agg.ctes.items():
            main = cte == agg.main
            extra = (post_extra if period == POST else pre_extra) if main else []
            ctes.append(
                f"{cte} AS ("
                + aggregate_sql(
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
        f"post_period.{q(LAST_DAY)} AS {q(LAST_DAY)}" if health else f"NULL AS {q(LAST_DAY)}",
    ]
    unit_cols += [f"COALESCE(post_period.{q(a)}, 0) AS {q(a)}" for a in null_cols.values()]
    if use_pre:
        unit_cols += [
            f"COALESCE(pre_period.{q('row_count')}, 0) AS {q(PRE_ROWS)}",
            f"pre_period.{q(FIRST_PRE_DAY)} AS {q(FIRST_PRE_DAY)}"
            if health
            else f"NULL AS {q(FIRST_PRE_DAY)}",
        ]
    for (_, period), column in raw.items():
        cte = next(c for c, cols in aggregates[period].ctes.items() if column in cols.values())
        unit_cols.append(f"CAST(COALESCE({cte}.{q(column)}, 0) AS DOUBLE) AS {q(column)}")
    if unit_table is not None:
        # A membership test (a mark join) costs less than a DISTINCT of the table joined.
        known = f"SELECT {q(unit_table.column)} FROM {q(unit_table.table)}"
        unit_cols.append(
            f"CASE WHEN u.{q('unit_id')} IN ({known}) THEN 0 ELSE 1 END AS {q(NOT_IN_UNIT_TABLE)}"
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
    top_join = ""
    if top_metric is not None and segment is None:
        top_name = metric_y.get(top_metric)
        if top_name is not None:
            top_cte, top_final, top, top_join = top_units(
                top_name, centred_expr[top_name], names, q
            )
            final += top_final
            ctes.append(top_cte)

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

    counts = arm_health(window, null_cols, use_pre=use_pre, q=q, lit=lit, health=health)
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
    # The caps and shifts are joined to the per-arm rows, not to every unit: as MAX()
    # aggregates over the units they cost a column per cap in the final grouping.
    ctes.append(
        f"{ARM_SUMS} AS (SELECT "
        + ",\n  ".join(select_keys + counts + final)
        + f"\n  FROM centred AS cu{top_join}{segment_join}"
        + f"\n  GROUP BY {', '.join(group_keys)})"
    )
    keys = [k.rsplit(" AS ", 1)[1] for k in select_keys]
    outputs = [
        f"a.{a} AS {a}" for a in (k.rsplit(" AS ", 1)[1] for k in select_keys + counts + final)
    ]
    outputs += [f"caps.{q(c)} AS {q(c)}" for c in caps_out]
    sql = (
        "WITH "
        + ",\n".join(ctes)
        + "\nSELECT "
        + ",\n  ".join(outputs)
        + f"\nFROM {ARM_SUMS} AS a CROSS JOIN unit_caps AS caps"
        + f"\nORDER BY {', '.join(f'a.{k}' for k in keys)}"
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
