"""Aggregates and GROUP BY agree: a selected column is grouped or inside an aggregate.

SQLite and MySQL accept bare columns next to aggregates (taking a value from an arbitrary row);
for those warehouses it is a warning, elsewhere the engine would refuse it, so an error.
Columns inside functions sqlglot does not know are not judged: they may be aggregates.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error, warning

# Warehouses that run a bare column next to an aggregate instead of refusing it.
LENIENT_DIALECTS = frozenset({"SQLite", "MySQL"})


def aggregates(ctx: RuleContext) -> list[Problem]:
    if ctx.qualified is None:
        return []
    lenient = type(ctx.write_dialect).__name__ in LENIENT_DIALECTS
    problems: list[Problem] = []
    for scope in ctx.qualified.scopes:
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        for column in _ungrouped_columns(select, scope):
            name = column.sql()
            message = (
                f"Column `{name}` is selected next to an aggregate but is neither "
                "grouped nor aggregated."
            )
            hint = f"Add `{name}` to GROUP BY, or wrap it in an aggregate such as MAX({name})."
            if lenient:
                problems.append(
                    warning(
                        "ungrouped-column",
                        message + " The engine picks an arbitrary row's value.",
                        hint,
                    )
                )
            else:
                problems.append(error("ungrouped-column", message, hint, node=column))
    return problems


def _ungrouped_columns(select: exp.Select, scope: Scope) -> Iterator[exp.Column]:
    group = select.args.get("group")
    having = select.args.get("having")
    parts: list[exp.Expr] = [*select.expressions, *([having] if having else [])]
    if group is None and not any(_has_aggregate(p) for p in parts):
        return
    if group is not None and (group.args.get("all") or _group_all(group)):
        return  # DuckDB GROUP BY ALL groups by every non-aggregate
    grouped = _grouped_sql(select, group)
    seen: set[str] = set()
    for part in parts:
        expression = part if part is having else (part.unalias() or part)
        for column in _bare_columns(expression):
            if column.table not in scope.sources or _covered(column, part, grouped):
                continue
            if column.sql() not in seen:
                seen.add(column.sql())
                yield column


def _group_all(group: exp.Group) -> bool:
    return any(isinstance(e, exp.Var) and e.name.upper() == "ALL" for e in group.expressions)


def _grouped_sql(select: exp.Select, group: exp.Group | None) -> set[str]:
    if group is None:
        return set()
    items: list[exp.Expr] = []
    sets = [*group.expressions]
    for key in ("rollup", "cube", "grouping_sets"):
        sets.extend(group.args.get(key) or [])
    for node in sets:
        if isinstance(node, (exp.Rollup, exp.Cube, exp.GroupingSets, exp.Tuple)):
            # Every expression inside ROLLUP/CUBE/GROUPING SETS is a grouping key.
            items.extend(n for n in node.walk() if n is not node)
        else:
            items.append(node)
    grouped = set()
    for item in items:
        if isinstance(item, exp.Literal) and item.is_int:  # GROUP BY 1
            index = int(item.name) - 1
            if 0 <= index < len(select.expressions):
                item = select.expressions[index].unalias()
        grouped.add(item.sql())
    return grouped


def _covered(column: exp.Column, top: exp.Expr, grouped: set[str]) -> bool:
    node: exp.Expr | None = column
    while node is not None:
        if node.sql() in grouped:
            return True
        if node is top:
            break
        node = node.parent
    return False


def _has_aggregate(node: exp.Expr) -> bool:
    return any(isinstance(n, exp.AggFunc) for n in _walk_outside(node, stop_at_aggregates=False))


def _bare_columns(node: exp.Expr) -> Iterator[exp.Column]:
    for n in _walk_outside(node, stop_at_aggregates=True):
        if isinstance(n, exp.Column):
            yield n


def _walk_outside(node: exp.Expr, *, stop_at_aggregates: bool) -> Iterator[exp.Expr]:
    """Nodes of `node` outside windows, subqueries and unknown functions (and aggregates)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (exp.Window, exp.Query, exp.Anonymous)):
            continue
        # An aggregate's FILTER (WHERE …) and WITHIN GROUP (ORDER BY …) belong to it.
        if stop_at_aggregates and (
            isinstance(current, exp.AggFunc)
            or (
                isinstance(current, (exp.Filter, exp.WithinGroup))
                and isinstance(current.this, exp.AggFunc)
            )
        ):
            continue
        stack.extend(current.iter_expressions())
