"""Exactly one statement: `SELECT 1; DROP TABLE t` is two, and is refused as a whole."""

from __future__ import annotations

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error


def single_statement(ctx: RuleContext) -> list[Problem]:
    count = len(ctx.statements)
    if count == 1:
        return []
    return [
        error(
            "multiple-statements",
            f"Found {count} statements; exactly one is allowed.",
            "Send one SELECT; remove the other statements and the `;` between them.",
            node=ctx.statements[1],
        )
    ]
