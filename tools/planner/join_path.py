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
    from tools.planner.tokens import stem

    for name in (f"{stem(t.name)}_id", f"{t.name.rstrip('s')}_id", "id"):
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
    key = table_key(catalog, step.table)
    return key is None or key.lower() != step.right.column.lower()
