"""Text to sqlglot trees, with parse errors as problems that carry a line and a column.

Input that is not a query to judge at all (empty, oversized, nested past what the parser can
follow) raises `InputError` instead: there is nothing to report on, and nothing may run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from tools.errors import InputError
from tools.sql.problems import Problem, error

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect

# Generous for any hand-written or generated analytical query; 1 MB of SQL is an accident.
MAX_SQL_CHARS = 100_000


def check_input(sql: str) -> None:
    """Raise `InputError` for SQL that cannot be a query: empty, oversized, or with NUL."""
    # Only comments is empty too: the parser finds no statement (see parse_statements).
    if not sql.replace(";", " ").strip():
        raise InputError("The SQL is empty.", hint="Pass one SELECT statement.")
    if len(sql) > MAX_SQL_CHARS:
        raise InputError(
            f"The SQL is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}.",
            hint="Pass one query, not a script or a dump.",
        )
    if "\x00" in sql:
        # Engines and drivers disagree on where a NUL ends a string; refuse to guess.
        raise InputError(
            "The SQL contains a NUL character.", hint="Pass plain text; is this a binary file?"
        )


def too_deep() -> InputError:
    return InputError(
        "The SQL is nested too deeply to analyse.",
        hint="Flatten the expression: use CTEs instead of deep nesting.",
    )


_QUIET: ContextVar[bool] = ContextVar("lablens_quiet_sqlglot", default=False)


class _QuietFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or not _QUIET.get()


logging.getLogger("sqlglot").addFilter(_QuietFilter())


@contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to an unparsed Command; we report it instead.

    A filter reading a context variable, not `setLevel`: the level is shared by every thread
    (a chat answer parses while another finishes), and setting it clears logging's caches."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def parse_statements(
    sql: str, dialect: Dialect, *, max_tokens: int | None = None
) -> tuple[list[exp.Expr], list[Problem]]:
    """All statements in `sql` (empty ones dropped), or the parse problems found.

    With `max_tokens`, text with more tokens is refused as `too-complex` before parsing.
    """
    from sqlglot.errors import ParseError, TokenError

    from tools.sql.complexity import check_tokens

    try:
        with quiet_sqlglot():
            tokens = dialect.tokenize(sql)
            if max_tokens is not None and (found := check_tokens(len(tokens))):
                return [], found
            trees = dialect.parser().parse(tokens, sql)
    except ParseError as exc:
        return [], [_parse_problem(e) for e in exc.errors[:5]] or [
            error("parse-error", str(exc).splitlines()[0], _PARSE_HINT)
        ]
    except TokenError as exc:
        return [], [
            error(
                "parse-error",
                f"Cannot read the SQL: {exc}",
                "Look for an unterminated string, quoted name or comment.",
            )
        ]
    except RecursionError:
        raise too_deep() from None
    statements = [t for t in trees if t is not None]
    if not statements:
        raise InputError("The SQL is empty.", hint="Pass one SELECT statement.")
    return statements, []


_PARSE_HINT = "Check the SQL near the position shown; a keyword may be missing or misplaced."


def _parse_problem(detail: dict[str, object]) -> Problem:
    description = str(detail.get("description") or "Invalid SQL")
    # sqlglot describes the offending token as "<Token token_type: ..., text: X, ...>": keep X.
    if "<Token" in description:
        head, _, token = description.partition("<Token")
        text = token.split("text: ", 1)[-1].split(", line:", 1)[0]
        description = f"{head.strip()} {text!r}".strip()
    line = detail.get("line")
    col = detail.get("col")
    where = f" (line {line}, column {col})" if line else ""
    near = detail.get("highlight")
    message = f"Syntax error{where}: {description}" + (f" near {near!r}" if near else "")
    return error(
        "parse-error",
        message,
        _PARSE_HINT,
        line=line if isinstance(line, int) else None,
        column=col if isinstance(col, int) else None,
    )
