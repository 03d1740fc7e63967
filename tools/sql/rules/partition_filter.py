"""Tables the catalog marks `require_partition_filter` must be filtered on their partition.

The filter must sit in the WHERE of the SELECT that reads the table, on every branch of an OR,
and must be a real restriction (`IS [NOT] NULL` restricts nothing).
"""

from __future__ import annotations

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.names import fold
from tools.sql.problems import Problem, error


def partition_filter(ctx: RuleContext) -> list[Problem]:
    if ctx.qualified is None or not any(t.require_partition_filter for t in ctx.catalog.tables):
        return []
    problems: list[Problem] = []
    for scope in ctx.qualified.scopes:
        if not isinstance(scope.expression, exp.Select):
            continue
        where = scope.expression.args.get("where")
        for alias, (_, source) in scope.selected_sources.items():
            if not isinstance(source, exp.Table):
                continue
            table = ctx.catalog.table(source.name)
            if table is None or not table.require_partition_filter or not table.partition_column:
                continue
            column = fold(table.partition_column)
            if where is not None and _restricts(where.this, alias, column):
                continue
            problems.append(
                error(
                    "missing-partition-filter",
                    f"Table `{table.name}` must be filtered on its partition column "
                    f"`{table.partition_column}` in WHERE.",
                    f"Add e.g. `WHERE {alias}.{table.partition_column} >= DATE '2024-01-01'` "
                    "to the SELECT that reads it.",
                    node=source,
                )
            )
    return problems


# Comparisons that can restrict a column to some partitions. `<>`/`NOT IN` exclude a few and
# read the rest, `IS [NOT] NULL` restricts nothing; neither counts.
_RESTRICTING = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In)


def _restricts(condition: exp.Expr, alias: str, column: str) -> bool:
    if isinstance(condition, exp.Paren):
        return _restricts(condition.this, alias, column)
    if isinstance(condition, exp.And):
        return _restricts(condition.left, alias, column) or _restricts(
            condition.right, alias, column
        )
    if isinstance(condition, exp.Or):
        return _restricts(condition.left, alias, column) and _restricts(
            condition.right, alias, column
        )
    if not isinstance(condition, _RESTRICTING):
        return False
    # One side is the partition column (alone, or under casts and functions of it alone); the
    # other side must not mention it: `dt = dt` and `(dt IS NULL) = false` filter nothing.
    query = condition.find_ancestor(exp.Query)
    if isinstance(condition, exp.Between):
        sides = [condition.this, condition.args.get("low"), condition.args.get("high")]
    elif isinstance(condition, exp.In):
        sides = [condition.this, *condition.expressions, condition.args.get("query")]
    else:
        sides = [condition.left, condition.right]
    present = [s for s in sides if s is not None]
    if not present:
        return False
    subject, others = present[0], present[1:]
    if isinstance(condition, (exp.Between, exp.In)):
        candidates = [(subject, others)]
    else:
        candidates = [(subject, others), (others[0], [subject])] if others else []
    return any(
        _is_partition_expression(side, alias, column, query)
        and not any(_mentions(o, alias, column, query) for o in rest)
        for side, rest in candidates
    )


def _own_columns(node: exp.Expr, query: exp.Expr | None) -> list[exp.Column]:
    return [c for c in node.find_all(exp.Column) if c.find_ancestor(exp.Query) is query]


def _is_column(c: exp.Column, alias: str, column: str) -> bool:
    return fold(c.table) == fold(alias) and fold(c.name) == column


def _is_partition_expression(
    node: exp.Expr, alias: str, column: str, query: exp.Expr | None
) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    if any(isinstance(n, (exp.Predicate, exp.Not, exp.Connector)) for n in node.walk()):
        return False  # a truth value about the column, not the column
    columns = _own_columns(node, query)
    return bool(columns) and all(_is_column(c, alias, column) for c in columns)


def _mentions(node: exp.Expr, alias: str, column: str, query: exp.Expr | None) -> bool:
    return any(_is_column(c, alias, column) for c in _own_columns(node, query))
