"""Shortest join paths over the catalog's join keys (an undirected graph of tables)."""

from __future__ import annotations

from collections import deque

from tools.catalog.model import Catalog
from tools.planner.plan_model import ColumnRef, JoinStep


def join_tree(catalog: Catalog, base: str) -> dict[str, list[JoinStep]]:
    """For every table reachable from `base`, the join steps of one shortest path to it."""
    edges: dict[str, list[tuple[str, ColumnRef, ColumnRef]]] = {}
    for jk in catalog.join_keys:
        a = ColumnRef(jk.left_table, jk.left_column)
        b = ColumnRef(jk.right_table, jk.right_column)
        edges.setdefault(a.table.lower(), []).append((b.table, a, b))
        edges.setdefault(b.table.lower(), []).append((a.table, b, a))
    paths: dict[str, list[JoinStep]] = {base.lower(): []}
    queue = deque([base])
    while queue:
        here = queue.popleft()
        for there, mine, theirs in edges.get(here.lower(), []):
            if there.lower() in paths:
                continue
            paths[there.lower()] = [*paths[here.lower()], JoinStep(there, mine, theirs)]
            queue.append(there)
    return paths


def table_key(catalog: Catalog, table: str) -> str | None:
    """The column that identifies a row of `table`: its key column, unit column,
    `<singular>_id`, or `id`."""
    t = catalog.table(table)
    if t is None:
        return None
    if t.key_column:
        return t.key_column
    if t.unit_column:
        return t.unit_column
    for name in _own_id_names(t.name):
        if t.column(name) is not None:
            return t.column(name).name  # type: ignore[union-attr]
    return None


def foreign_keys_to(catalog: Catalog, table: str) -> list[ColumnRef]:
    """Columns of other tables that join to `table`'s key (where its units appear as facts)."""
    key = table_key(catalog, table)
    if key is None:
        return []
    out: list[ColumnRef] = []
    for jk in catalog.join_keys:
        sides = (
            (jk.left_table, jk.left_column, jk.right_table, jk.right_column),
            (jk.right_table, jk.right_column, jk.left_table, jk.left_column),
        )
        for t, c, other_t, other_c in sides:
            if t.lower() == table.lower() and c.lower() == key.lower():
                out.append(ColumnRef(other_t, other_c))
    return out


def fans_out(catalog: Catalog, step: JoinStep) -> bool:
    """True when joining `step.table` can repeat rows of the query (its side is not its key)."""
    return not identifies_rows(catalog, step.table, step.right.column)


def identifies_rows(catalog: Catalog, table: str, column: str) -> bool:
    """True when no two rows of `table` share a value of `column`, as far as the catalog says.

    `table_key` also answers with a unit column, which is a key only where the table holds one
    row per unit: a daily table repeats each unit once per day, a table linking units to
    something else once per link. So a unit column not named for its table (`<x>_id` in the
    table of x's) counts as a key only in a table with no time column and no other join key.
    """
    t = catalog.table(table)
    if t is None:
        return False
    name = column.lower()
    if t.key_column:
        return t.key_column.lower() == name
    if name in _own_id_names(t.name):
        return t.column(name) is not None
    if not t.unit_column or t.unit_column.lower() != name:
        return False
    links = any(
        (jk.left_table.lower() == t.name.lower() and jk.left_column.lower() != name)
        or (jk.right_table.lower() == t.name.lower() and jk.right_column.lower() != name)
        for jk in catalog.join_keys
    )
    return t.time_column is None and not links


def _own_id_names(table: str) -> tuple[str, ...]:
    """The names a table's own id column goes by: `<singular>_id`, or `id`."""
    from tools.planner.tokens import stem

    return (f"{stem(table)}_id".lower(), f"{table.rstrip('s')}_id".lower(), "id")
