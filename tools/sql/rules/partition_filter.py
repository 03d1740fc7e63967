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
    for scope in ctx.scopes:
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
    if isinstance(condition, exp.Is) or (
        isinstance(condition, exp.Not) and isinstance(condition.this, exp.Is)
    ):
        return False
    return any(
        fold(c.table) == fold(alias) and fold(c.name) == column
        for c in condition.find_all(exp.Column)
        if c.find_ancestor(exp.Query) is condition.find_ancestor(exp.Query)
    )
