"""One sentence that says what the planned SQL computes, in the catalog's words."""

from __future__ import annotations

from tools.catalog.model import Catalog, MetricKind
from tools.planner.plan_model import Filter, QueryPlan


def explain_plan(plan: QueryPlan, catalog: Catalog) -> str:
    measure = _measure_phrase(plan, catalog)
    for extra in plan.extra_measures:
        word = {"SUM": "total", "AVG": "average", "MEDIAN": "median", "MAX": "maximum"}
        what = extra.column.column if extra.column else ""
        measure += f" and the {word.get(extra.agg or '', 'minimum')} of {what}"
    if plan.change:
        measure += f", with its change from the previous {plan.grain}"
    parts = [measure, f"from {plan.base_table}"]
    if plan.joins:
        parts.append(
            "joined with " + ", ".join(f"{j.table} on {j.left} = {j.right}" for j in plan.joins)
        )
    conditions = [_filter_phrase(f) for f in plan.filters]
    conditions += [
        f"each counted unit's total {f.column.column} {f.op} {_fmt(f.values[0])}"
        for f in plan.having
    ]
    conditions += [
        f"each counted {plan.measure.column.column if plan.measure.column else 'unit'} has "
        f"{op} {_fmt(value)} rows of {table}"
        for table, op, value in plan.having_rows
    ]
    if conditions:
        parts.append("where " + " and ".join(conditions))
    period = _period_phrase(plan)
    if period:
        parts.append(period)
    groups = ([plan.grain] if plan.grain else []) + [r.column for r in plan.dimensions]
    if plan.rollup is not None:
        groups = [r.column for r in plan.rollup_keep]
    if groups:
        parts.append("by " + ", ".join(groups))
    if plan.order is not None:
        rank = "highest first" if plan.order == "desc" else "lowest first"
        parts.append(f"{rank}" + (f", top {plan.limit}" if plan.limit else ""))
    if plan.rollup is not None:
        per = plan.grain or ", ".join(
            r.column for r in plan.dimensions if r not in plan.rollup_keep
        )
        word = {"AVG": "average", "MEDIAN": "median", "MAX": "maximum", "MIN": "minimum"}
        parts[0] = f"the {word.get(plan.rollup, plan.rollup)} per {per} of {parts[0]}"
    verb = {"list": "Lists", "lookup": "Looks up"}.get(plan.measure.kind, "Computes")
    return f"{verb} " + ", ".join(parts) + "."


def _measure_phrase(plan: QueryPlan, catalog: Catalog) -> str:
    m = plan.measure
    if m.kind == "list":
        return "the rows"
    if m.kind == "lookup":
        return "the " + ", ".join(c.column for c in m.columns)
    if m.kind == "ratio" and m.column is not None and m.denominator is not None:
        return f"SUM({m.column.column}) / SUM({m.denominator.column})"
    if m.kind == "share" and m.column is not None:
        if m.share_where is not None:
            return (
                f"the share of rows where {m.column.column} {m.share_where[0]} {m.share_where[1]!r}"
            )
        return f"the share of rows where {m.column.column} is true"
    if m.kind == "metric" and m.metric:
        metric = catalog.metric(m.metric)
        assert metric is not None
        if metric.kind is MetricKind.RATIO:
            how = f"{metric.numerator} / {metric.denominator}"
        elif metric.kind is MetricKind.MEAN:
            how = f"{metric.numerator} per {metric.unit}, averaged over {metric.unit}s"
        else:
            how = f"share of {metric.unit}s with {metric.numerator} = 1"
        return f"{metric.name} ({how})"
    if m.kind == "aggregate" and m.column is not None:
        word = {
            "SUM": "the total",
            "AVG": "the average",
            "MEDIAN": "the median",
            "MAX": "the maximum",
            "MIN": "the minimum",
        }.get(m.agg or "", m.agg or "")
        return f"{word} of {m.column.column}"
    if m.kind == "count_distinct" and m.column is not None:
        what = f" ({m.entity})" if m.entity else ""
        return f"the number of distinct {m.column.column}{what}"
    return f"the number of rows of {m.entity or plan.base_table}"


def _fmt(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v) if not isinstance(v, str) else repr(v)


def _filter_phrase(f: Filter) -> str:
    if f.op in ("in", "not in"):
        return f"{f.column.column} {f.op} ({', '.join(_fmt(v) for v in f.values)})"
    if isinstance(f.values[0], bool):
        return f"{f.column.column} is {'true' if f.values[0] else 'false'}"
    return f"{f.column.column} {f.op} {_fmt(f.values[0])}"


def _period_phrase(plan: QueryPlan) -> str | None:
    col = plan.time_column.column if plan.time_column else "date"
    if plan.start and plan.end:
        if plan.start == plan.end:
            return f"on {col} {plan.start}"
        return f"for {col} from {plan.start} to {plan.end}"
    if plan.start:
        return f"for {col} since {plan.start}"
    if plan.end:
        return f"for {col} up to {plan.end}"
    return None
