"""QueryPlan -> SQL, built as a sqlglot tree and written in the warehouse's dialect.

Metrics are computed the way they are defined, never as an average of per-row ratios:
ratio = SUM(numerator) / SUM(denominator) per group; mean per unit = the numerator per unit
averaged over units (SUM(x) / COUNT(DISTINCT unit) when the numerator is a plain SUM);
proportion = the share of units whose per-unit indicator is 1.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp

from tools.catalog.model import Catalog, Metric, MetricKind
from tools.planner.plan_model import ColumnRef, Filter, Measure, QueryPlan

ColumnMaker = Callable[[ColumnRef], exp.Column]

# The planner composes its expressions in DuckDB syntax and lets sqlglot write the target.
_SOURCE_DIALECT = "duckdb"


def build_sql(plan: QueryPlan, catalog: Catalog, *, dialect: str = "duckdb") -> str:
    return build_select(plan, catalog).sql(dialect=dialect, pretty=True)


def build_select(plan: QueryPlan, catalog: Catalog) -> exp.Select:
    qualify = bool(plan.joins)
    col = _column_builder(qualify)
    dims = _dimension_exprs(plan, catalog, col)
    if plan.measure.kind == "list":
        return _listing(plan, catalog, col)
    if plan.measure.kind == "lookup":
        # Attributes of the rows the question names ("when did <name> end?").
        return _source(plan, catalog, col).select(*[col(r) for r in plan.measure.columns])
    metric = catalog.metric(plan.measure.metric) if plan.measure.metric else None
    nested_unit = _nested_unit(plan, catalog, metric)
    if nested_unit is not None:
        select = _nested(plan, catalog, col, dims, metric, nested_unit)
    else:
        measure = _flat_measure(plan, catalog, col, metric)
        extra = [(_aggregate(m, col), _aggregate_alias(m)) for m in plan.extra_measures]
        select = _source(plan, catalog, col).select(
            *[e.as_(a) for e, a in dims],
            measure.as_(measure_alias(plan)),
            *[e.as_(a) for e, a in extra],
        )
        if dims:
            select = select.group_by(*[e for e, _ in dims])
    if plan.rollup is not None:
        return _rollup(plan, select, dims)
    if plan.change and plan.grain is not None:
        return _with_change(plan, select, [a for _, a in dims])
    return _order_and_limit(plan, select, [a for _, a in dims])


def _with_change(plan: QueryPlan, inner: exp.Select, dims: list[str]) -> exp.Select:
    """'week over week': each period's value and its change from the period before."""
    alias = measure_alias(plan)
    grain = dims[0]
    window = exp.Window(
        this=exp.func("LAG", exp.column(alias)),
        partition_by=[exp.column(a) for a in dims[1:]] or None,
        order=exp.Order(expressions=[exp.Ordered(this=exp.column(grain))]),
    )
    change = exp.Sub(this=exp.column(alias), expression=window)
    return (
        exp.select(*[exp.column(a) for a in dims], exp.column(alias), change.as_(f"change_{alias}"))
        .from_(inner.subquery("per_period"))
        .order_by(*[exp.column(a) for a in dims[1:]], exp.column(grain))
    )


def _aggregate(m: Measure, col: ColumnMaker) -> exp.Expr:
    assert m.column is not None
    return exp.func(m.agg or "SUM", col(m.column))


def _aggregate_alias(m: Measure) -> str:
    prefix = {"SUM": "total", "AVG": "avg", "MEDIAN": "median", "MAX": "max", "MIN": "min"}
    return f"{prefix.get(m.agg or '', 'value')}_{m.column.column if m.column else 'value'}"


def _rollup(plan: QueryPlan, inner: exp.Select, dims: list[tuple[exp.Expr, str]]) -> exp.Select:
    """The per-group query as a subquery, aggregated again over its groups."""
    keep = [
        a
        for (_, a), ref in zip(
            dims[len(dims) - len(plan.dimensions) :], plan.dimensions, strict=True
        )
        if ref in plan.rollup_keep
    ]
    alias = measure_alias(plan)
    outer = exp.select(
        *[exp.column(a) for a in keep],
        exp.func(plan.rollup or "AVG", exp.column(alias)).as_(
            f"{(plan.rollup or '').lower()}_{alias}"
        ),
    ).from_(inner.subquery("per_group"))
    if keep:
        outer = outer.group_by(*[exp.column(a) for a in keep]).order_by(
            *[exp.column(a) for a in keep]
        )
    return outer


def measure_alias(plan: QueryPlan) -> str:
    m = plan.measure
    if m.kind == "metric":
        return m.metric or "value"
    if m.kind == "aggregate" and m.column is not None:
        return _aggregate_alias(m)
    if m.kind == "share" and m.column is not None:
        return f"share_{m.column.column}"
    if m.kind == "ratio" and m.column is not None and m.denominator is not None:
        return f"{m.column.column}_per_{m.denominator.column}"
    if m.entity:
        return f"{m.entity}_count"
    if m.kind == "count_distinct" and m.column is not None:
        return f"distinct_{m.column.column}"
    return "row_count"


def date_expr(ref: ColumnRef, catalog: Catalog, col: ColumnMaker) -> exp.Expr:
    """The column as a DATE: timestamps and dates stored as text are cast, so a day range
    keeps the whole last day and a week or month starts where the calendar says."""
    t = catalog.table(ref.table)
    c = t.column(ref.column) if t is not None else None
    if c is None or c.type.upper() == "DATE":
        return col(ref)
    return exp.cast(col(ref), "DATE")


def _column_builder(qualify: bool) -> ColumnMaker:
    def col(ref: ColumnRef) -> exp.Column:
        return exp.column(ref.column, table=ref.table if qualify else None)

    return col


def _dimension_exprs(
    plan: QueryPlan, catalog: Catalog, col: ColumnMaker
) -> list[tuple[exp.Expr, str]]:
    out: list[tuple[exp.Expr, str]] = []
    if plan.grain is not None and plan.time_column is not None:
        tcol = date_expr(plan.time_column, catalog, col)
        if plan.grain == "day":
            out.append((tcol, plan.time_column.column))
        else:
            trunc = exp.func("DATE_TRUNC", exp.Literal.string(plan.grain), tcol)
            out.append((exp.cast(trunc, "DATE"), plan.grain))
    names = {a for _, a in out}
    for ref in plan.dimensions:
        alias = ref.column if ref.column not in names else f"{ref.table}_{ref.column}"
        names.add(alias)
        out.append((col(ref), alias))
    return out


def _source(plan: QueryPlan, catalog: Catalog, col: ColumnMaker) -> exp.Select:
    select = exp.select().from_(exp.to_table(plan.base_table))
    for j in plan.joins:
        on = exp.column(j.left.column, table=j.left.table).eq(
            exp.column(j.right.column, table=j.right.table)
        )
        select = select.join(exp.to_table(j.table), on=on)
    conditions = [_filter(f, col) for f in plan.filters] + _period(plan, catalog, col)
    if conditions:
        select = select.where(exp.and_(*conditions))
    return select


def _literal(value: object) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _filter(f: Filter, col: ColumnMaker | Callable[[ColumnRef], exp.Expr]) -> exp.Expr:
    c = col(f.column)
    values = [_literal(v) for v in f.values]
    if f.op in ("in", "not in"):
        cond: exp.Expr = c.isin(*values)
        return exp.not_(cond) if f.op == "not in" else cond
    ops = {"=": exp.EQ, "!=": exp.NEQ, ">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}
    return ops[f.op](this=c, expression=values[0])


def _period(plan: QueryPlan, catalog: Catalog, col: ColumnMaker) -> list[exp.Expr]:
    if plan.start is None and plan.end is None:
        return []
    columns = [plan.time_column] if plan.time_column is not None else []
    for name in plan.tables:  # every partitioned table in the query gets the same range
        t = catalog.table(name)
        if t is not None and t.require_partition_filter and t.partition_column:
            ref = ColumnRef(t.name, t.partition_column)
            if ref not in columns:
                columns.append(ref)
    out: list[exp.Expr] = []
    for ref in columns:
        c = date_expr(ref, catalog, col)
        lo = exp.cast(exp.Literal.string(plan.start.isoformat()), "DATE") if plan.start else None
        hi = exp.cast(exp.Literal.string(plan.end.isoformat()), "DATE") if plan.end else None
        if lo is not None and hi is not None:
            out.append(c.eq(lo) if plan.start == plan.end else exp.Between(this=c, low=lo, high=hi))
        elif lo is not None:
            out.append(exp.GTE(this=c, expression=lo))
        elif hi is not None:
            out.append(exp.LTE(this=c, expression=hi))
    return out


def _parse_aggregate(sql: str, table: str, qualify: bool) -> exp.Expr:
    """A catalog SQL expression, with its bare columns qualified by the metric's table."""
    tree = sqlglot.parse_one(sql, read=_SOURCE_DIALECT)
    if qualify:
        for c in tree.find_all(exp.Column):
            if not c.table:
                c.set("table", exp.to_identifier(table))
    return tree


def _plain_sum(sql: str) -> bool:
    tree = sqlglot.parse_one(sql, read=_SOURCE_DIALECT)
    return isinstance(tree, exp.Sum) and not isinstance(tree.this, exp.Distinct)


def _nested_unit(plan: QueryPlan, catalog: Catalog, metric: Metric | None) -> ColumnRef | None:
    """The unit to aggregate per, when the measure needs a per-unit subquery."""
    if metric is not None and (
        metric.kind is MetricKind.PROPORTION
        or (metric.kind is MetricKind.MEAN and not _plain_sum(metric.numerator))
    ):
        return ColumnRef(metric.table, metric.unit)
    if (plan.having or plan.having_rows) and plan.measure.column is not None:
        return plan.measure.column
    return None


def _flat_measure(
    plan: QueryPlan, catalog: Catalog, col: ColumnMaker, metric: Metric | None
) -> exp.Expr:
    m = plan.measure
    qualify = bool(plan.joins)
    if metric is not None:
        num = _parse_aggregate(metric.numerator, metric.table, qualify)
        if metric.kind is MetricKind.RATIO:
            den = _parse_aggregate(metric.denominator or "", metric.table, qualify)
            return exp.Div(
                this=exp.cast(num, "DOUBLE"),
                expression=exp.func("NULLIF", den, exp.Literal.number(0)),
            )
        unit = exp.Count(this=exp.Distinct(expressions=[col(ColumnRef(metric.table, metric.unit))]))
        return exp.Div(this=exp.cast(num, "DOUBLE"), expression=unit)
    if m.kind == "aggregate" and m.column is not None:
        return _aggregate(m, col)
    if m.kind == "ratio" and m.column is not None and m.denominator is not None:
        return exp.Div(
            this=exp.cast(exp.func("SUM", col(m.column)), "DOUBLE"),
            expression=exp.func(
                "NULLIF", exp.func("SUM", col(m.denominator)), exp.Literal.number(0)
            ),
        )
    if m.kind == "share" and m.column is not None:
        # The share of rows where the flag holds, as a fraction.
        cond: exp.Expr = col(m.column)
        if m.share_where is not None:
            op, value = m.share_where
            cond = _filter(Filter(m.column, op, (value,)), col)
        case = exp.Case(
            ifs=[exp.If(this=cond, true=exp.Literal.number(1.0))],
            default=exp.Literal.number(0.0),
        )
        return exp.func("AVG", case)
    if m.kind == "count_distinct" and m.column is not None:
        return exp.Count(this=exp.Distinct(expressions=[col(m.column)]))
    return exp.Count(this=exp.Star())


def _nested(
    plan: QueryPlan,
    catalog: Catalog,
    col: ColumnMaker,
    dims: list[tuple[exp.Expr, str]],
    metric: Metric | None,
    unit: ColumnRef,
) -> exp.Select:
    qualify = bool(plan.joins)
    inner_cols = [e.as_(a) for e, a in dims] + [col(unit).as_("unit_id")]
    inner = _source(plan, catalog, col).select(*inner_cols)
    inner = inner.group_by(*[e for e, _ in dims], col(unit))
    if metric is not None:
        value = _parse_aggregate(metric.numerator, metric.table, qualify)
        inner = inner.select(exp.cast(value, "DOUBLE").as_("unit_value"))
        outer_measure: exp.Expr = exp.func("AVG", exp.column("unit_value"))
    else:
        for f in plan.having:
            agg = exp.func("SUM", col(f.column))
            inner = inner.having(_filter(Filter(f.column, f.op, f.values), lambda _r, a=agg: a))
        for table, op, bound in plan.having_rows:  # "more than 3 pins": rows per unit
            inner = inner.having(
                _filter(Filter(unit, op, (bound,)), _row_count(catalog, table, col))
            )
        outer_measure = exp.Count(this=exp.Star())
    outer = exp.select(
        *[exp.column(a) for _, a in dims], outer_measure.as_(measure_alias(plan))
    ).from_(inner.subquery("per_unit"))
    if dims:
        outer = outer.group_by(*[exp.column(a) for _, a in dims])
    return outer


def _row_count(catalog: Catalog, table: str, col: ColumnMaker) -> Callable[[ColumnRef], exp.Expr]:
    """COUNT(DISTINCT <table's key>): its rows per unit, however many other joined rows repeat
    them; COUNT(*) for a table with no key (then nothing else is joined to repeat them)."""
    from tools.planner.join_path import table_key

    key = table_key(catalog, table)
    count: exp.Expr = (
        exp.Count(this=exp.Distinct(expressions=[col(ColumnRef(table, key))]))
        if key is not None
        else exp.Count(this=exp.Star())
    )
    return lambda _ref: count


def _listing(plan: QueryPlan, catalog: Catalog, col: ColumnMaker) -> exp.Select:
    """The rows of one table (the validator adds the row LIMIT)."""
    from tools.planner.join_path import table_key

    table = catalog.table(plan.base_table)
    assert table is not None
    select = _source(plan, catalog, col).select(
        *[col(ColumnRef(table.name, c.name)) for c in table.columns]
    )
    key = table_key(catalog, table.name)
    if key is not None:
        select = select.order_by(col(ColumnRef(table.name, key)))
    return select


def _order_and_limit(plan: QueryPlan, select: exp.Select, dim_aliases: list[str]) -> exp.Select:
    alias = measure_alias(plan)
    if plan.order is not None:
        select = select.order_by(
            exp.Ordered(this=exp.column(alias), desc=plan.order == "desc"),
            *[exp.column(a) for a in dim_aliases],
        )
    elif dim_aliases:
        select = select.order_by(*[exp.column(a) for a in dim_aliases])
    if plan.limit is not None:
        select = select.limit(plan.limit)
    return select
