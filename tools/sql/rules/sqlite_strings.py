"""SQLite reads a double-quoted word that names no column as a string literal.

`WHERE name = "Paris"` is common SQLite (and frequent in public benchmarks such as Spider).
Only for SQLite input, such words become `'Paris'`: the meaning SQLite gives them, written
portably, before tables and columns are checked.
"""

from __future__ import annotations

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.problems import Problem


def sqlite_strings(ctx: RuleContext) -> tuple[exp.Expr, list[Problem]]:
    tree = ctx.tree
    if type(ctx.read_dialect).__name__ != "SQLite" or not ctx.is_query:
        return tree, []
    known = {c.lower() for c in _leaf_names(ctx.schema.mapping)}
    known |= {a.alias.lower() for a in tree.find_all(exp.Alias)}
    known |= {c.name.lower() for t in tree.find_all(exp.TableAlias) for c in t.columns}
    for column in list(tree.find_all(exp.Column)):
        ident = column.this
        if (
            not column.table
            and isinstance(ident, exp.Identifier)
            and ident.quoted
            and ident.name.lower() not in known
        ):
            # In place: the pipeline owns the tree (see rules/__init__.py), copying costs more.
            column.replace(exp.Literal.string(ident.name))
    return tree, []


def _leaf_names(mapping: object) -> list[str]:
    """Column names of a `MappingSchema` mapping, whatever its nesting depth."""
    if isinstance(mapping, dict):
        if mapping and all(isinstance(v, str) for v in mapping.values()):
            return list(mapping)
        return [n for v in mapping.values() for n in _leaf_names(v)]
    return []
