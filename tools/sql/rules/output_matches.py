"""What runs is what was proven: the final text, re-parsed as the warehouse reads it, is
validated again and must be the statement that was validated.

The checks before this judged a tree parsed from the *input* dialect; the warehouse will lex
the *generated* text with its own rules. Where the two disagree (sqlglot writes T-SQL `@@A`
as DuckDB `$$A`, which DuckDB reads as the start of a dollar-quoted string) a string the
checks saw as data becomes code. So the text is parsed again in the warehouse's dialect, must
be exactly one statement, must pass the whole chain again with the warehouse as the read
dialect, and must regenerate to exactly the same text: the validated tree and the re-parsed
one are then the same statement in the warehouse generator's normal form. (Requiring equal
trees node for node would refuse sound transpilations: Snowflake `IFF(c, a, b)` is an `If`
node, DuckDB reads the `CASE WHEN` written for it as a `Case`.) When the dialects are the
same and the re-parsed tree is identical to the validated one, the chain's verdict on it is
the verdict already reached (rules are pure functions of tree, catalog and dialect), so it
is not re-run.

The generator's output is not always a fixed point (DuckDB `LIST(…)` reads back as
`ARRAY_AGG(…)`). Then the re-validated tree's own text must read back as that same tree, and
that text is what runs: this rule derives the final `output_sql`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from tools.errors import InputError
from tools.sql.context import RuleContext
from tools.sql.parse import parse_statements
from tools.sql.problems import Problem, error

if TYPE_CHECKING:
    from sqlglot import exp

_HINT = (
    "The statement uses syntax that the warehouse reads differently from the input dialect "
    "(session variables, parameters, unusual string quoting). Write it in the warehouse's "
    "dialect, or without that construct."
)


def output_matches(ctx: RuleContext) -> tuple[str | None, list[Problem]]:
    text = ctx.output_sql
    if ctx.recheck or text is None:
        return text, []
    target = type(ctx.write_dialect).__name__
    statements = _statements(text, ctx)
    if statements is None:
        return text, [_differs(f"{target} cannot parse the SQL as written for it")]
    if len(statements) != 1:
        return text, [
            _differs(f"{target} reads the SQL as written for it as {len(statements)} statements")
        ]
    final = statements[0]
    if type(ctx.read_dialect) is type(ctx.write_dialect) and final == ctx.tree:
        return text, []
    from tools.sql.rules import run_rules

    recheck = dataclasses.replace(
        ctx,
        sql=text,
        statements=statements,
        view=ctx.write_view,
        read_dialect=ctx.write_dialect,
        default_limit=None,
        explain=None,
        tree=final,
        normalized=None,
        qualified=None,
        output_sql=None,
        recheck=True,
    )
    found: list[Problem] = []
    done = run_rules(recheck, found)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        return text, [_differs(f"as {target} reads it, the SQL is refused"), *errors]
    if done.output_sql == text:
        return text, []
    again = _statements(done.output_sql, ctx) if done.output_sql is not None else None
    if again is None or len(again) != 1 or again[0] != done.tree:
        return text, [_differs(f"{target} reads a different statement from the one validated")]
    return done.output_sql, []


def _statements(text: str, ctx: RuleContext) -> list[exp.Expr] | None:
    """`text` parsed as the warehouse reads it, None when it does not parse."""
    try:
        statements, problems = parse_statements(text, ctx.write_dialect)
    except InputError:
        return None
    return None if problems else statements


def _differs(what: str) -> Problem:
    return error(
        "output-differs",
        f"Cannot prove that what runs is what was validated: {what}.",
        _HINT,
    )
