"""Names of the things a query touches: function names, table names, visible CTEs.

Shared by several rules, so that each rule states its policy and not how to read the tree.
"""

from __future__ import annotations

import unicodedata

from sqlglot import exp


def fold(name: str) -> str:
    """Compare names case- and width-insensitively (`ＧＥＴＥＮＶ` is `getenv`)."""
    return unicodedata.normalize("NFKC", name).strip().lower()


def function_names(node: exp.Func) -> set[str]:
    """Every name a function node may be known by: typed nodes have sqlglot's SQL names."""
    if isinstance(node, (exp.Anonymous, exp.AnonymousAggFunc)):
        return {fold(node.name)}
    names = {fold(n) for n in type(node).sql_names()}
    names.add(fold(node.key))
    return names


def table_name(table: exp.Table) -> str:
    """`catalog.db.name` as written (without quotes)."""
    return ".".join(p.name for p in table.parts)


def is_cte_reference(table: exp.Table) -> bool:
    """True if an unqualified table name refers to a CTE that is visible where it is used.

    A CTE is visible in its query's body, in later CTEs of the same WITH, and in itself when
    the WITH is RECURSIVE; a name used anywhere else refers to a real table. Names compare
    exactly: call this on a tree whose identifiers are normalized for its dialect.
    """
    if (
        table.args.get("db")
        or table.args.get("catalog")
        or not isinstance(table.this, exp.Identifier)
    ):
        return False
    name = table.name
    child: exp.Expr = table
    parent = table.parent
    while parent is not None:
        with_ = parent.args.get("with_") if isinstance(parent, exp.Query) else None
        if (
            isinstance(with_, exp.With)
            and child is not with_
            and any(cte.alias == name for cte in with_.expressions)
        ):
            return True
        if isinstance(parent, exp.With):
            ctes = parent.expressions
            index = next((i for i, c in enumerate(ctes) if c is child), None)
            if index is not None:
                visible = ctes[: index + 1] if parent.args.get("recursive") else ctes[:index]
                if any(c.alias == name for c in visible):
                    return True
                # Skip the query that owns this WITH: its other CTEs are not visible here.
                child = parent.parent if parent.parent is not None else parent
                parent = child.parent
                continue
        child, parent = parent, parent.parent
    return False
