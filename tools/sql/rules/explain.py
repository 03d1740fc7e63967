"""Dry run: the engine plans the final SQL with EXPLAIN; its refusal becomes a problem.

Only the engine's refusal of the statement (`QueryError`) is a validation problem. A
warehouse that cannot be reached or refuses the credentials (`WarehouseError`) says nothing
about the SQL: it propagates, and the CLI reports it as a user error (exit 2), not as a
rejected statement (exit 1)."""

from __future__ import annotations

from tools.errors import QueryError
from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error


def explain(ctx: RuleContext) -> list[Problem]:
    if ctx.explain is None or ctx.output_sql is None:
        return []
    try:
        ctx.explain(ctx.output_sql)
    except QueryError as exc:
        return [
            error(
                "explain-failed",
                f"The warehouse refused the query: {exc.message}",
                exc.hint or "Fix the query so the engine can plan it.",
            )
        ]
    return []
