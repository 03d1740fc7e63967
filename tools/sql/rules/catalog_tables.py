"""Only catalog tables (and CTEs visible where they are used) may be read.

sqlglot's `qualify` does not check tables against the schema, so this rule does. Names are
compared exactly after the read dialect's identifier normalization — the comparison the engine
makes — so `"USERS"` on PostgreSQL or a full-width look-alike is not the catalog's `users`.
A qualified name (`main.t`, `information_schema.tables`) must match a catalog entry as a whole.
"""

from __future__ import annotations

import difflib

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from tools.sql.context import RuleContext
from tools.sql.names import fold, is_cte_reference, table_name
from tools.sql.problems import Problem, error
from tools.sql.rules.file_reads import looks_like_path


def catalog_tables(ctx: RuleContext) -> tuple[exp.Expr | None, list[Problem]]:
    """Unknown tables, and the tree with identifiers normalized for the read dialect."""
    if not ctx.is_query:
        return None, []
    normalized = normalize_identifiers(ctx.tree.copy(), dialect=ctx.read_dialect)
    problems = _unknown_tables(normalized, ctx.view.tables)
    if type(ctx.write_dialect) is not type(ctx.read_dialect):
        # The warehouse compares names by its own rules (quoted names are case-sensitive on
        # PostgreSQL, not on DuckDB): a name must be the same table under both.
        reported = {p.message for p in problems}
        in_warehouse = normalize_identifiers(ctx.tree.copy(), dialect=ctx.write_dialect)
        problems += [
            p
            for p in _unknown_tables(in_warehouse, ctx.write_view.tables)
            if p.message not in reported
        ]
    return normalized, problems


def _unknown_tables(tree: exp.Expr, known: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    reported: set[str] = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # table functions are file_reads' business
        name = table_name(table)
        if name in known or name in reported or is_cte_reference(table) or looks_like_path(name):
            continue
        reported.add(name)
        problems.append(
            error(
                "unknown-table",
                f"Table `{name}` is not in the catalog.",
                _hint(name, list(known.values())),
                node=table,
            )
        )
    return problems


def _hint(name: str, known: list[str]) -> str:
    by_fold = {fold(k): k for k in known}
    close = difflib.get_close_matches(fold(name.split(".")[-1]), list(by_fold), n=3, cutoff=0.6)
    if close:
        return "Did you mean " + " or ".join(f"`{by_fold[c]}`" for c in close) + "?"
    shown = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
    return f"Catalog tables: {shown}." if known else "The catalog has no tables."
