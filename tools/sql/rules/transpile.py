"""Write the statement in the warehouse's dialect; refuse what that dialect cannot express."""

from __future__ import annotations

from sqlglot.errors import ErrorLevel, UnsupportedError

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error


def transpile(ctx: RuleContext) -> list[Problem]:
    try:
        # Comments are dropped: some engines execute hints or "executable comments" in them.
        # copy=False: the tree is final here, and copying it costs as much as generating.
        ctx.output_sql = ctx.write_dialect.generate(
            ctx.tree, copy=False, comments=False, unsupported_level=ErrorLevel.RAISE
        )
    except UnsupportedError as exc:
        target = type(ctx.write_dialect).__name__
        return [
            error(
                "transpile-unsupported",
                f"The query cannot be written in {target}: {exc}",
                f"Rewrite it with features {target} supports.",
            )
        ]
    return []
