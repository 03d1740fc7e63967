"""Write the statement in the warehouse's dialect; refuse what that dialect cannot express."""

from __future__ import annotations

from sqlglot.errors import ErrorLevel, UnsupportedError

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error


def transpile(ctx: RuleContext) -> tuple[str | None, list[Problem]]:
    """The final tree written in the warehouse's dialect (the text that runs)."""
    try:
        # Comments are dropped: some engines execute hints or "executable comments" in them.
        # copy=True: the generator's dialect transforms rewrite in place, and the validated
        # tree must stay what the checks judged (output_matches compares it with the text).
        sql = ctx.write_dialect.generate(
            ctx.tree, copy=True, comments=False, unsupported_level=ErrorLevel.RAISE
        )
    except UnsupportedError as exc:
        target = type(ctx.write_dialect).__name__
        return None, [
            error(
                "transpile-unsupported",
                f"The query cannot be written in {target}: {exc}",
                f"Rewrite it with features {target} supports.",
            )
        ]
    return sql, []
