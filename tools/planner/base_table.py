"""Choosing the base table: every part of the question is a slot with candidate columns;
the base table whose slots resolve with the fewest join steps (plus small penalties) wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.catalog.model import Catalog
from tools.planner.join_path import foreign_keys_to, join_tree, table_key
from tools.planner.match import Mention
from tools.planner.plan_model import ColumnRef, JoinStep
from tools.planner.roles import Roles, column_kind

_HINT_PENALTY = 0.25  # a table the question names but the plan does not use
# A period applies to a table's time column unless the question names another date column
# ("signed up in October"); other date columns are a last resort.
_OTHER_DATE_PENALTY = 2.0


@dataclass
class Slot:
    # dim | filter:<op> | bool:true | bool:false | compare:<op> (a filter, or HAVING on a
    # per-unit total) | date | hint
    role: str
    candidates: list[ColumnRef]
    penalties: dict[ColumnRef, float] = field(default_factory=dict)
    hard: bool = True
    values: list[object] = field(default_factory=list)  # for filter and comparison slots
    note: str | None = None  # the reading taken when a word had another ({pick} filled in)


def column_refs(catalog: Catalog, m: Mention, *, kinds: set[str] | None = None) -> list[ColumnRef]:
    """Column references a mention can stand for; a table stands for its key and the columns
    of other tables that join to that key."""
    out = [
        ColumnRef(c.table, c.column or "")
        for c in m.of_kind("column")
        if kinds is None or column_kind(catalog, c) in kinds
    ]
    for t in m.of_kind("table"):
        key = table_key(catalog, t.table)
        if key is not None:
            out.append(ColumnRef(t.table, key))
            out += foreign_keys_to(catalog, t.table)
    return list(dict.fromkeys(out))


def value_filters(catalog: Catalog, roles: Roles) -> list[tuple[list[ColumnRef], str, list[str]]]:
    """Values grouped by column: 'Germany or France' -> country IN (DE, FR)."""
    grouped: dict[tuple[str | None, bool], tuple[list[ColumnRef], list[str]]] = {}
    for m, negated in roles.values:
        vals = m.of_kind("value")
        key = (vals[0].column, negated)
        refs = [ColumnRef(c.table, c.column or "") for c in vals]
        entry = grouped.setdefault(key, ([], []))
        entry[0].extend(r for r in refs if r not in entry[0])
        v = vals[0].value or ""
        if v not in entry[1]:
            entry[1].append(v)
    out = []
    for (_col, negated), (refs, values) in grouped.items():
        op = ("!=" if negated else "=") if len(values) == 1 else ("not in" if negated else "in")
        out.append((refs, op, values))
    return out


def date_slot(catalog: Catalog, roles: Roles) -> Slot:
    explicit = [r for m in roles.date_columns for r in column_refs(catalog, m, kinds={"date"})]
    if explicit:
        return Slot("date", explicit)
    refs: list[ColumnRef] = []
    penalties: dict[ColumnRef, float] = {}
    for t in catalog.tables:
        for c in t.columns:
            is_time = t.time_column is not None and c.name.lower() == t.time_column.lower()
            is_date = c.is_date or c.type.upper().startswith(("DATE", "TIMESTAMP"))
            if is_time or is_date:
                ref = ColumnRef(t.name, c.name)
                refs.append(ref)
                penalties[ref] = 0.0 if is_time else _OTHER_DATE_PENALTY
    return Slot("date", refs, penalties)


@dataclass
class Resolved:
    base: str
    cost: float
    picks: list[ColumnRef | None]
    joins: list[JoinStep]


def resolve_base(
    catalog: Catalog, bases: list[str], slots: list[Slot], base_penalty: dict[str, float]
) -> Resolved | None:
    best: Resolved | None = None
    for base in bases:
        tree = join_tree(catalog, base)
        steps: dict[str, JoinStep] = {}
        picks: list[ColumnRef | None] = []
        cost = base_penalty.get(base, 0.0)
        ok = True
        for slot in slots:
            reachable = [c for c in slot.candidates if c.table.lower() in tree]
            if not reachable:
                if slot.hard:
                    ok = False
                    break
                cost += _HINT_PENALTY
                picks.append(None)
                continue
            pick = min(
                reachable, key=lambda c: len(tree[c.table.lower()]) + slot.penalties.get(c, 0.0)
            )
            path = tree[pick.table.lower()]
            if slot.role == "hint":
                if path:
                    cost += _HINT_PENALTY
                picks.append(None)
                continue
            cost += slot.penalties.get(pick, 0.0)
            for st in path:
                steps.setdefault(st.table.lower(), st)
            picks.append(pick)
        if not ok:
            continue
        cost += len(steps)
        if best is None or cost < best.cost:
            best = Resolved(base, cost, picks, list(steps.values()))
    return best
