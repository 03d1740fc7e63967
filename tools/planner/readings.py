"""Readings of a word with several catalog meanings (an entity or a flag about it), the names
shown beside entity keys, and the notes that say which reading was taken."""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.planner.base_table import Resolved, Slot
from tools.planner.join_path import table_key
from tools.planner.match import Mention
from tools.planner.plan_model import ColumnRef, QueryPlan
from tools.planner.roles import column_kind


def entity_or_flag(
    catalog: Catalog, m: Mention, refs: list[ColumnRef], *, ranking: bool
) -> list[ColumnRef]:
    """A word that is both an entity (a *_id key) and a flag about it
    (an is_* flag): a ranking ranks the entities; otherwise both readings stay candidates."""
    kinds = {r: ref_kind(catalog, r) for r in refs}
    keys = [r for r in refs if kinds[r] == "key"]
    flags = [r for r in refs if kinds[r] == "boolean"]
    if ranking and keys and flags:
        return [r for r in refs if kinds[r] != "boolean"]
    return refs


def ref_kind(catalog: Catalog, ref: ColumnRef) -> str:
    from tools.planner.match import Concept

    return column_kind(catalog, Concept("column", ref.table, column=ref.column))


def reading_notes(catalog: Catalog, slots: list[Slot], resolved: Resolved) -> list[str]:
    """Say which reading was taken when a word had readings of different kinds."""
    notes = []
    for slot, pick in zip(slots, resolved.picks, strict=True):
        if slot.role != "dim" or pick is None:
            continue
        kinds = {ref_kind(catalog, r) for r in slot.candidates}
        if {"key", "boolean"} <= kinds:
            other = "the flag" if ref_kind(catalog, pick) == "key" else "each entity"
            notes.append(f"Grouped by {pick} (not {other} the same word could mean).")
    return notes


def name_entities(catalog: Catalog, plan: QueryPlan) -> None:
    """Groups by an entity's key also show its name (top-k entities: their key and name)."""
    from tools.planner.plan_model import JoinStep

    if plan.measure.kind in ("list", "lookup") or plan.rollup is not None:
        return
    out: list[ColumnRef] = []
    for ref in plan.dimensions:
        out.append(ref)
        t = catalog.table(ref.table)
        col = t.column(ref.column) if t is not None else None
        if col is None:
            continue
        entity = col.refers_to or (ref.table if table_key(catalog, ref.table) == col.name else None)
        et = catalog.table(entity) if entity else None
        if et is None or not et.name_column or ref_kind(catalog, ref) != "key":
            continue
        if et.name.lower() not in {n.lower() for n in plan.tables}:
            key = table_key(catalog, et.name)
            if key is None:
                continue
            plan.joins.append(JoinStep(et.name, ref, ColumnRef(et.name, key)))
            plan.notes.append(f"Joined {et.name} to show each {ref.column}'s {et.name_column}.")
        name = ColumnRef(et.name, et.name_column)
        if name not in plan.dimensions:
            out.append(name)
    plan.dimensions = list(dict.fromkeys(out))


def attribute_refs(catalog: Catalog, m: Mention) -> list[ColumnRef]:
    """What a lookup shows for a mention: the column, or a table's naming column."""
    named = [
        ColumnRef(t.name, t.name_column)
        for c in m.of_kind("table")
        if (t := catalog.table(c.table)) is not None and t.name_column
    ]
    return named or [ColumnRef(c.table, c.column or "") for c in m.of_kind("column")]
