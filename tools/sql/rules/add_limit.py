"""A row LIMIT on the outermost query where it has none, so a stray query cannot flood a client."""

from __future__ import annotations

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, warning


def add_limit(ctx: RuleContext) -> tuple[exp.Expr, list[Problem]]:
    limit = ctx.default_limit
    tree = ctx.tree
    if limit is None or not isinstance(tree, exp.Query):
        return tree, []
    if tree.args.get("limit") is not None or tree.args.get("fetch") is not None:
        return tree, []
    return tree.limit(limit, copy=False), [
        warning(
            "limit-added",
            f"No LIMIT given: added LIMIT {limit}.",
            "Write an explicit LIMIT to get more (or fewer) rows.",
        )
    ]
