"""Who a count counts: "how many android users saved a pin" counts users, not saves.

The table (or the holders of a flag) named right after the counting word is what is counted,
when a measure follows; the values and flags before it say which of them.
"""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.planner.match import Mention
from tools.planner.read_question import Reading
from tools.planner.roles import Roles, column_kind


def counted_table(roles: Roles, reading: Reading) -> Mention | None:
    """The table right after a counting word ("how many users ..."), if that is what follows."""
    if roles.count_at is None or roles.distinct_at is not None:
        return None
    pools = [
        *roles.tables,
        *roles.numeric,
        *roles.dims,
        *(m for m, _ in roles.values),
        *(m for m, _ in roles.booleans),
        *roles.other_columns,
        *roles.date_columns,
    ]
    qualifiers = qualifiers_after_count(roles, reading)
    later = sorted(
        (m for m in pools if m.start > roles.count_at and m not in qualifiers),
        key=lambda m: m.start,
    )
    if later and later[0] in roles.tables and roles.numeric:
        return later[0]
    return None


def qualifiers_after_count(roles: Roles, reading: Reading) -> list[Mention]:
    """The values and flags right after the counting word, one after the other: in "how many
    android users ..." the value says which users, the table after it is what is counted.
    'active' may sit among them: people who did something were active."""
    from tools.planner.vocabulary import ACTIVE_WORDS

    assert roles.count_at is not None
    plain = [
        *(m for m, neg in roles.values if not neg),
        *(b for b, neg in roles.booleans if not neg),
    ]
    run: list[Mention] = []
    at = roles.count_at + 1
    while at < len(reading.tokens):
        m = next((q for q in plain if q.start == at and q not in run), None)
        if m is not None:
            run.append(m)
            at = m.end
        elif reading.tokens[at].stem in ACTIVE_WORDS:
            at += 1
        else:
            break
    return run


def counted_flag_holders(catalog: Catalog, roles: Roles, reading: Reading) -> str | None:
    """The table of a flag whose plural follows the counting word, when a measure follows:
    'how many creators hid a pin' counts the flag's holders who did it, not what they did."""
    measured = roles.numeric or roles.compared  # "hid a pin", "hid more than 3 pins"
    if roles.count_at is None or roles.distinct_at is not None or not measured:
        return None
    # "how many android creators hid a pin": the value before the flag qualifies its holders.
    run = qualifiers_after_count(roles, reading)
    flag = run[-1] if run and any(run[-1] is b for b, neg in roles.booleans if not neg) else None
    if flag is None or not flag.text.lower().endswith("s"):
        return None
    tables = [c.table for c in flag.of_kind("column") if column_kind(catalog, c) == "boolean"]
    return tables[0] if tables else None
