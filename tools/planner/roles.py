"""Second pass: give each catalog mention a role — measure, dimension, filter, count target.

Roles come from the words around a mention ("by", "per", "which", "top 5", "not", "how many"),
never from the names of particular tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.catalog.model import Catalog
from tools.planner.count_cues import agentive_by, counts_rows_named_next, ranks_a_count
from tools.planner.match import Concept, Mention
from tools.planner.read_question import Reading
from tools.planner.refusal import unplaced_comparison
from tools.planner.tokens import Token
from tools.planner.vocabulary import (
    ACTIVE_WORDS,
    AGGREGATES,
    ASCENDING,
    CONTRAST_WORDS,
    COUNT_WORDS,
    DESCENDING,
    DISTINCT_WORDS,
    GROUP_WORDS,
    LIST_WORDS,
    NEGATIONS,
    ROW_WORDS,
)

_CONNECTORS = {"and", ",", "or", "the", "&"}


@dataclass
class Roles:
    metrics: list[Mention] = field(default_factory=list)
    numeric: list[Mention] = field(default_factory=list)  # candidate measures
    dims: list[Mention] = field(default_factory=list)
    values: list[tuple[Mention, bool]] = field(default_factory=list)  # (mention, negated)
    booleans: list[tuple[Mention, bool]] = field(default_factory=list)
    tables: list[Mention] = field(default_factory=list)
    date_columns: list[Mention] = field(default_factory=list)
    other_columns: list[Mention] = field(default_factory=list)
    compared: list[tuple[Mention, str, float]] = field(default_factory=list)
    # "more than 3 pins": (the table's mention, op, value, the words), on how many rows of
    # the table each counted one has
    row_thresholds: list[tuple[Mention, str, float, str]] = field(default_factory=list)
    agg: str | None = None
    agg_from_superlative: bool = False
    agg_word_is_superlative: bool = False
    counting: bool = False
    count_at: int | None = None  # token index of the first counting word
    distinct_at: int | None = None  # token index of "distinct"/"unique"
    rows: bool = False
    active: bool = False
    listing: bool = False  # "list/show/which <table>": the rows themselves
    contrasts: set[str] = field(default_factory=set)  # columns of "a vs b" value pairs
    notes: list[str] = field(default_factory=list)  # readings chosen here, shown with the plan


def column_kind(catalog: Catalog, c: Concept) -> str:
    """numeric | boolean | date | key | category, for a column concept."""
    t = catalog.table(c.table)
    col = t.column(c.column or "") if t else None
    if col is None:
        return "category"
    typ = col.type.upper()
    if typ.startswith("BOOL"):
        return "boolean"
    if col.is_date or typ.startswith(("DATE", "TIMESTAMP")):
        return "date"
    name = col.name.lower()
    if name.endswith("_id") or name == "id" or (t is not None and name == (t.unit_column or "")):
        return "key"
    return "numeric" if col.is_numeric else "category"


def mention_kinds(catalog: Catalog, m: Mention) -> set[str]:
    return {column_kind(catalog, c) for c in m.of_kind("column")}


def assign_roles(catalog: Catalog, reading: Reading, mentions: list[Mention]) -> Roles:
    toks = reading.tokens
    roles = Roles()
    covered = {i for m in mentions for i in range(m.start, m.end)}
    free = [i for i in range(len(toks)) if i not in covered and i not in reading.used]

    def is_flag(m: Mention) -> bool:
        return "boolean" in mention_kinds(catalog, m)

    for i in free:
        s = toks[i].stem
        if s in COUNT_WORDS or counts_rows_named_next(reading, i, mentions, is_flag):
            roles.counting = True
            roles.count_at = i if roles.count_at is None else roles.count_at
        if s in DISTINCT_WORDS and roles.distinct_at is None:
            roles.distinct_at = i
        if s in ROW_WORDS:
            roles.rows = True
        if s in ACTIVE_WORDS:
            roles.active = True
        if s in LIST_WORDS:
            roles.listing = True
        # "lowest average rating": 'average' aggregates, 'lowest' ranks.
        if (
            s in AGGREGATES
            and not ranks_a_count(toks, i)
            and not counts_rows_named_next(reading, i, mentions, is_flag)
            and (roles.agg is None or roles.agg_word_is_superlative)
            and (roles.agg is None or s not in DESCENDING | ASCENDING)
        ):
            roles.agg = AGGREGATES[s]
            roles.agg_word_is_superlative = s in DESCENDING | ASCENDING
    compared_at, roles.row_thresholds = _comparison_targets(catalog, reading, mentions)
    group_cues = {
        i
        for i in free
        if toks[i].stem in GROUP_WORDS
        and not agentive_by(toks, i)
        and not _by_whom(catalog, reading, i, mentions)
        and not counts_rows_named_next(reading, i, mentions, is_flag)
        and not (i + 1 < len(toks) and toks[i + 1].lower == "all")  # "across all pins"
        and not _across_the_table(toks, i, mentions)
        and not _question_word_apart(toks, i, mentions, reading.used)
    }
    group_cues |= set(reading.rank_cues)
    prev_end = 0
    grouping = False
    ranked_measure = False  # "top 10 most saved <rows>": the rows after the measure are groups
    whether = {
        i for i in free if toks[i].lower == "whether" and i > 0 and toks[i - 1].lower == "by"
    }
    group_cues -= {w - 1 for w in whether}
    for m in mentions:
        gap = range(prev_end, m.start)
        cue = any(i in group_cues for i in gap) or (ranked_measure and not list(gap))
        ranked_measure = False
        if any(w < m.start for w in whether) and "boolean" in mention_kinds(catalog, m):
            roles.dims.append(m)  # "by whether the <row> is <flag>": one group per flag value
            roles.tables = [t for t in roles.tables if not any(w < t.start for w in whether)]
            whether = set()
            prev_end = m.end
            continue
        # "by number of <rows>", "what's the total number of <rows>": the count's target.
        last_cue = max((i for i in gap if i in group_cues), default=-1)
        if cue and any(toks[i].stem in COUNT_WORDS for i in gap if i > last_cue):
            cue = False
        # "by <row> count" is "by number of <rows>".
        if cue and m.of_kind("table") and m.end < len(toks) and toks[m.end].stem in COUNT_WORDS:
            cue = False
        only_connectors = all(toks[i].lower in _CONNECTORS for i in gap if i not in reading.used)
        negated = any(toks[i].stem in NEGATIONS for i in gap)
        kinds = mention_kinds(catalog, m)
        prev_end = m.end
        if m.of_kind("value") and _names_a_measure(catalog, m, kinds):
            # A word that is a numeric column's own name is that measure, not a value named alike.
            m.concepts = [c for c in m.concepts if c.kind != "value"]
        if m.of_kind("value") and _trailing_verb(toks, m):
            if "date" not in kinds:
                continue  # "how many <rows> did <name> <verb>": a verb, not a value spelt alike
            # "when did <name> end": the verb names a date column (end -> <end>_date), not a status.
            m.concepts = [c for c in m.concepts if c.kind != "value"]

        if id(m) in compared_at:
            op, value = compared_at[id(m)]
            roles.compared.append((m, op, value))
            grouping = False
        elif m.of_kind("metric"):
            roles.metrics.append(m)
            grouping = False
        elif m.of_kind("value"):
            if any(toks[i].stem in CONTRAST_WORDS for i in gap) and roles.values:
                # "<value> vs <value>": compare the two, one row each
                roles.contrasts.add(m.of_kind("value")[0].column or "")
            roles.values.append((m, negated))
            grouping = False
        elif (cue or (grouping and only_connectors)) and _dimable(m, kinds):
            roles.dims.append(m)
            grouping = True
        elif "numeric" in kinds:
            roles.numeric.append(m)
            grouping = False
            ranked_measure = cue
        elif "boolean" in kinds:
            roles.booleans.append((m, negated))
        elif m.of_kind("table"):
            roles.tables.append(m)
        elif "date" in kinds:
            roles.date_columns.append(m)
        else:
            roles.other_columns.append(m)
    _drop_qualifiers(catalog, roles)
    _count_of_column_values(catalog, reading, roles)
    _count_of_keyed_entities(catalog, reading, roles)
    return roles


def _count_of_keyed_entities(catalog: Catalog, reading: Reading, roles: Roles) -> None:
    """'how many creators published pins': the plural right after the count word is both a
    flag and a key of a table the question also names, so it counts the distinct keys there
    (the creators who did it), not that table's rows by holders of the flag."""
    # A measure, or a threshold on one ("hid more than 3 pins"), says what the holders did.
    if roles.count_at is None or roles.distinct_at is not None or roles.numeric or roles.compared:
        return
    m = next((b for b, neg in roles.booleans if b.start == roles.count_at + 1 and not neg), None)
    if m is None or not reading.tokens[m.end - 1].lower.endswith("s"):
        return
    named = {c.table for t in roles.tables if t.start > m.end for c in t.of_kind("table")}
    keys = [c for c in m.of_kind("column") if column_kind(catalog, c) == "key" and c.table in named]
    if not keys:
        return
    roles.distinct_at = roles.count_at
    flags = [c for c in m.of_kind("column") if column_kind(catalog, c) == "boolean"]
    roles.notes.append(
        f"Counted the distinct {', '.join(f'{c.table}.{c.column}' for c in keys)} (each"
        f" '{m.text}' once), not the rows of the flag "
        + ", ".join(f"{c.table}.{c.column}" for c in flags)
        + " the same word could mean."
    )


def _count_of_column_values(catalog: Catalog, reading: Reading, roles: Roles) -> None:
    """'how many countries are the users in', 'number of surfaces with saves', 'how many pin
    categories': a count word right before a plural category column (or its table and it)
    counts its distinct values, as 'distinct' would."""
    if roles.count_at is None or roles.distinct_at is not None:
        return
    toks = reading.tokens
    start = roles.count_at + 1
    if start < len(toks) and toks[start].lower == "of":
        start += 1
    # "how many pin categories": the table named before its own column.
    owner = next((t for t in roles.tables if t.start == start), None)
    if owner is not None:
        start = owner.end
    m = next((m for m in roles.other_columns if m.start == start), None)
    if owner is not None and m is not None:
        tables = {c.table for c in owner.of_kind("table")}
        if not any(c.table in tables for c in m.of_kind("column")):
            return
    if m is None or m.of_kind("table") or mention_kinds(catalog, m) != {"category"}:
        return
    last = toks[m.end - 1]
    if last.lower != last.stem and last.lower.endswith("s"):  # a plural: the values, counted
        roles.distinct_at = roles.count_at


def _names_a_measure(catalog: Catalog, m: Mention, kinds: set[str]) -> bool:
    """The words are a numeric column's own name (not only one of its values)."""
    if "numeric" not in kinds:
        return False
    from tools.planner.tokens import phrase_stems

    said = phrase_stems(m.text)
    return any(
        phrase_stems(c.column or "") == said
        for c in m.of_kind("column")
        if column_kind(catalog, c) == "numeric"
    )


_VALUE_LEADS = {"in", "from", "on", "at", "or", "and", "for", "to", "of", "with", "than"}


def _trailing_verb(toks: list, m: Mention) -> bool:  # type: ignore[type-arg]
    if m.end < len(toks) or m.end - m.start != 1:
        return False
    if m.start > 0 and toks[m.start - 1].lower in _VALUE_LEADS:
        return False  # "... do we have in France": a preposition's object, not a verb
    return any(t.lower in ("did", "does", "do") for t in toks[: m.start])


_QUALIFIER_LEADS = {"in", "from", "who", "that", "with", "on", "whose", "of"}


def _by_whom(catalog: Catalog, reading: Reading, i: int, mentions: list[Mention]) -> bool:
    """'saves by users in the UK', 'clicks by creators': 'by' + a plural that names who did it
    (qualified by what follows, or a flag's holders) is no breakdown, unless a ranking asks."""
    toks = reading.tokens
    if toks[i].lower != "by" or reading.limit is not None or reading.superlatives:
        return False
    m = next((m for m in mentions if m.start == i + 1), None)
    if m is None or not toks[m.end - 1].lower.endswith("s") or toks[m.end - 1].lower.endswith("ss"):
        return False
    after = toks[m.end].lower if m.end < len(toks) else ""
    if after in ("flag", "status", "or", "vs", "versus", "and", ","):
        return False
    kinds = mention_kinds(catalog, m)
    if "boolean" in kinds:
        return True  # "by creators": the flag's holders, a filter
    return bool(m.of_kind("table")) and after in _QUALIFIER_LEADS


def _dimable(m: Mention, kinds: set[str]) -> bool:
    if m.of_kind("metric") or m.of_kind("value"):
        return False
    return bool(m.of_kind("table")) or bool(kinds & {"category", "boolean", "date", "key"})


def _across_the_table(toks: list[Token], i: int, mentions: list[Mention]) -> bool:
    """'median quality score across pins' spans the table's rows; it groups nothing."""
    if toks[i].lower != "across":
        return False
    m = next((m for m in mentions if m.start == i + 1), None)
    return m is not None and bool(m.of_kind("table"))


_ARTICLES = {"the", "a", "an"}


def _question_word_apart(
    toks: list[Token], i: int, mentions: list[Mention], used: set[int]
) -> bool:
    """'which surface had ...' groups by surface; 'what is the median of pins' quality' does
    not group by pin: 'which'/'what' asks for the groups only when the name follows it."""
    if toks[i].lower not in ("which", "what", "what's", "whats"):
        return False
    nxt = next((m.start for m in mentions if m.start > i), None)
    if nxt is None:
        return True
    return any(toks[j].lower not in _ARTICLES and j not in used for j in range(i + 1, nxt))


def _comparison_targets(
    catalog: Catalog, reading: Reading, mentions: list[Mention]
) -> tuple[dict[int, tuple[str, float]], list[tuple[Mention, str, float, str]]]:
    """Each numeric comparison goes to the numeric column right after its number ("more than 20
    saves") or else the nearest one before it ("quality score above 0.9"). With no numeric
    column, a table's plural right after the number counts its rows ("more than 3 pins");
    anything else is refused, never dropped."""
    out: dict[int, tuple[str, float]] = {}
    rows: list[tuple[Mention, str, float, str]] = []
    numeric = [
        m for m in mentions if "numeric" in mention_kinds(catalog, m) and not m.of_kind("metric")
    ]
    toks = reading.tokens
    for cmp in reading.comparisons:
        follows = cmp.number + 1 if cmp.after is None else cmp.after
        after = next((m for m in numeric if m.start == follows), None)
        before = [m for m in numeric if m.end <= cmp.start and id(m) not in out]
        # "score above 0.9 on quality": else the next numeric column after the comparison.
        later = next((m for m in numeric if m.start > cmp.number and id(m) not in out), None)
        target = after or (before[-1] if before else later)
        if target is not None:
            out[id(target)] = (cmp.op, cmp.value)
            continue
        table = next((m for m in mentions if m.start == follows and m.of_kind("table")), None)
        said = " ".join(t.text for t in toks[cmp.start : min(follows + 1, len(toks))])
        plural = table is not None and (toks[table.end - 1].lower.endswith("s") or cmp.value <= 1)
        if table is None or not plural:  # "more than 1 pin" is a plural too
            raise unplaced_comparison(said)
        rows.append((table, cmp.op, cmp.value, said))
    return out, rows


def _drop_qualifiers(catalog: Catalog, roles: Roles) -> None:
    """'pin category' groups by category (pin only says which table); 'country Japan' filters
    on Japan; 'aged 18-24' is the age filter itself."""
    kept: list[Mention] = []
    for i, m in enumerate(roles.dims):
        nxt = roles.dims[i + 1] if i + 1 < len(roles.dims) else None
        tables = {c.table.lower() for c in m.of_kind("table")}
        if (
            nxt is not None
            and nxt.start == m.end
            and tables
            and {c.table.lower() for c in nxt.of_kind("column")} & tables
        ):
            roles.tables.append(m)
            continue
        kept.append(m)
    roles.dims = kept
    filtered = {c.column for m, _ in roles.values for c in m.of_kind("value")}
    roles.other_columns = [
        m for m in roles.other_columns if not {c.column for c in m.of_kind("column")} & filtered
    ]
    roles.dims = [
        m
        for m in roles.dims
        if not ({c.column for c in m.of_kind("column")} & filtered and not m.of_kind("table"))
    ]
