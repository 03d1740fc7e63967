"""Dry run: the engine plans the final SQL with EXPLAIN; its refusal becomes a problem."""

from __future__ import annotations

from tools.errors import LablensError
from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error


def explain(ctx: RuleContext) -> list[Problem]:
    if ctx.explain is None or ctx.output_sql is None:
        return []
    try:
        ctx.explain(ctx.output_sql)
    except LablensError as exc:
        return [
            error(
                "explain-failed",
                f"The warehouse refused the query: {exc.message}",
                exc.hint or "Fix the query so the engine can plan it.",
            )
        ]
    return []
