"""Only functions on the warehouse's reviewed allow-list may be called (`tools/sql/functions/`).

Functions are judged by the name the warehouse will see. A function sqlglot does not know
keeps its name in every dialect, so it is looked up as written. A function sqlglot knows is
looked up by its SQL names and, failing that, by the name the warehouse's generator writes
for it; when it is written as syntax (`CAST(… AS …)`, `x + INTERVAL …`, `CASE …`) rather than
as a call, its arguments are what is judged. When the input and warehouse dialects differ, a
known function the list does not name is left to the re-check of the final text
(`output_matches`), where it has the warehouse's own spelling. Warehouses without a list keep
the deny-list (`denied_functions`) only, and the report says so.
"""

from __future__ import annotations

import re

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.functions import FunctionList, function_list
from tools.sql.names import fold, function_names
from tools.sql.problems import Problem, error, warning
from tools.sql.rules.denied_functions import is_denied

# Keywords that generators write like calls but that engines parse as syntax, not as calls of
# a catalog function (DuckDB's `duckdb_functions()` does not list them): each takes
# expressions and evaluates only them, so its arguments are what is judged.
SYNTAX_CALLS = frozenset(
    {
        "cast",
        "try_cast",
        "extract",
        "interval",
        "exists",
        "array",
        "struct",
        "row",
        "position",
        "coalesce",
        # PostgreSQL's conditional expressions: syntax there, absent from pg_proc
        "nullif",
        "greatest",
        "least",
        "ifnull",
        "grouping",
        "grouping_id",
        "try",
    }
)

_CALL = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_$]*)\s*\(")
_HINT = "Use the warehouse's ordinary scalar, aggregate and window functions over catalog columns."


def dialect_key(dialect: object) -> str:
    """sqlglot's name of a dialect instance (`duckdb`, `postgres`, `sqlite`, `tsql` …)."""
    return type(dialect).__module__.rsplit(".", 1)[-1]


def allowed_functions(ctx: RuleContext) -> list[Problem]:
    if not ctx.is_query:
        return []
    flist = function_list(dialect_key(ctx.write_dialect))
    if flist is None:
        if ctx.recheck:
            return []
        return [
            warning(
                "no-function-list",
                f"No reviewed function list for {type(ctx.write_dialect).__name__}: only the "
                "deny-list of functions applies.",
                "See the README (Functions a query may call) to add one.",
            )
        ]
    defer = type(ctx.read_dialect) is not type(ctx.write_dialect) and not ctx.recheck
    problems: list[Problem] = []
    reported: set[str] = set()
    for node in ctx.tree.walk():
        if not isinstance(node, exp.Func) or isinstance(node.parent, (exp.Table, exp.Lateral)):
            continue  # a function in FROM is file_reads' business
        name = _refused_name(node, flist, ctx, defer=defer)
        if name is None or name in reported or is_denied(name):
            continue  # a denied name is reported once, by denied_functions
        reported.add(name)
        why = flist.denied.get(name)
        problems.append(
            error(
                "function-not-allowed",
                f"Function `{name}` is not on the {flist.dialect} allow-list"
                + (f" ({why})." if why else "."),
                _hint(name, flist),
                node=node,
            )
        )
    return problems


def _refused_name(
    node: exp.Func, flist: FunctionList, ctx: RuleContext, *, defer: bool
) -> str | None:
    """The name under which `node` is refused, or None when it may be called."""
    names = function_names(node)
    if isinstance(node, (exp.Anonymous, exp.AnonymousAggFunc)):
        name = fold(node.name)
        return None if name in flist.allowed or name in SYNTAX_CALLS else name
    denied = sorted(n for n in names if n in flist.denied)
    if denied:
        return denied[0]
    if names & flist.allowed or names & SYNTAX_CALLS:
        return None
    if defer:
        return None
    written = _written_call(node, ctx)
    if written is None or written in flist.allowed or written in SYNTAX_CALLS:
        return None
    return written


def _written_call(node: exp.Func, ctx: RuleContext) -> str | None:
    """The function name the warehouse's generator writes for `node`, None for syntax."""
    text = ctx.write_dialect.generate(node, copy=True, comments=False)
    match = _CALL.match(text)
    return fold(match.group(1)) if match else None


def _hint(name: str, flist: FunctionList) -> str:
    from tools.did_you_mean import did_you_mean

    suggestion = did_you_mean(name, sorted(flist.allowed))
    return f"{suggestion} {_HINT}" if suggestion else _HINT
