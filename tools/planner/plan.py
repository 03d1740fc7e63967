"""Question + catalog -> QueryPlan: the offline planner's core, pure (no I/O, no model).

It reads the question in two passes (read_question: period, grain, ranking, comparisons;
roles: what each catalog mention is for), picks the base table and joins that need the fewest
join steps, and fails with a PlanningError naming what it understood and what is missing.
Turning the resolved slots into a plan is assemble.py's.
"""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.assemble import assemble_plan
from tools.planner.base_table import (
    Resolved,
    Slot,
    column_refs,
    date_slot,
    resolve_base,
    value_filters,
)
from tools.planner.dropped_words import (
    refuse_dropped_words,
    refuse_none,
    restrictions_not_applied,
)
from tools.planner.join_path import table_key
from tools.planner.match import Lexicon, Mention, cached_lexicon, find_mentions
from tools.planner.measure import MeasureChoice, choose_measure
from tools.planner.plan_model import ColumnRef, QueryPlan
from tools.planner.planner_context import PlannerContext
from tools.planner.read_question import Reading, read_question
from tools.planner.readings import attribute_refs, entity_or_flag
from tools.planner.refusal import refusal_hint, refuse_long, shown_words
from tools.planner.roles import Roles, assign_roles
from tools.planner.shorthand import expand_shorthand
from tools.planner.tokens import Token, compact, phrase_stems, tokenize
from tools.planner.typos import correct_typos
from tools.planner.vocabulary import QUESTION_WORDS, TYPO_TARGETS, is_change_request

__all__ = ["PlannerContext", "plan_query"]

_FACT_PENALTY = 0.5  # count an entity in its own table unless the question needs a fact table
_DID_PENALTY = 5.0  # ... but where a verb of the question says they acted ("who ordered")


def plan_query(question: str, catalog: Catalog, context: PlannerContext) -> QueryPlan:
    q = question.strip()
    if not q:
        raise PlanningError("The question is empty.", hint=refusal_hint(catalog, []))
    refuse_long(q)
    lexicon = cached_lexicon(catalog, context.known_values)
    text = expand_shorthand(q, lambda w: _in_lexicon(lexicon, w))
    tokens = tokenize(text)
    verb = is_change_request([t.text for t in tokens])
    if verb:
        raise PlanningError(
            f"lablens only reads data; '{verb}' asks to change it, which it never does.",
            hint=refusal_hint(catalog, []),
        )
    reading, mentions = _read(text, tokens, lexicon, context)
    notes: list[str] = []
    unknown = _unknown_at(reading, mentions)
    if unknown:  # a slip of the keyboard, when one known word is that close
        fixed, notes = correct_typos(tokens, unknown, lexicon, TYPO_TARGETS)
        if notes:
            reading, mentions = _read(text, fixed, lexicon, context)
    _refuse_unknown_words(q, reading, mentions, catalog)
    refuse_none(catalog, reading, mentions)
    roles = assign_roles(catalog, reading, mentions)
    plan = _plan(q, catalog, context, reading, roles)
    plan.notes[:0] = notes
    return plan


def _read(
    text: str, tokens: list[Token], lexicon: Lexicon, context: PlannerContext
) -> tuple[Reading, list[Mention]]:
    # Words inside a multi-word catalog name ("top category") are that name, not a cue.
    protected = {
        i
        for m in find_mentions(tokens, lexicon, set())
        if m.end - m.start > 1 or tokens[m.start].lower.endswith("+")
        for i in range(m.start, m.end)
    }
    reading = read_question(text, tokens, context.today, protected=protected)
    return reading, find_mentions(tokens, lexicon, reading.used)


def _in_lexicon(lexicon: Lexicon, word: str) -> bool:
    return word in lexicon.exact or compact(phrase_stems(word)) in lexicon.phrases


def _unknown_at(reading: Reading, mentions: list[Mention]) -> list[int]:
    """Token indexes that are neither a catalog mention, a cue the reading used, nor a
    question word the planner knows."""
    covered = {i for m in mentions for i in range(m.start, m.end)} | reading.used
    # A name split around other words ("pins that score above 0.9 on quality" for a column
    # named after both): its other words are the same name, not unknown.
    name_words = {
        s
        for m in mentions
        for c in m.of_kind("column")
        for s in phrase_stems(c.column or "")
        if len(s) > 2
    }
    covered |= {i for i, t in enumerate(reading.tokens) if t.stem in name_words}
    return [
        i
        for i, t in enumerate(reading.tokens)
        if i not in covered and t.stem not in QUESTION_WORDS and t.lower not in QUESTION_WORDS
    ]


def _refuse_unknown_words(
    q: str, reading: Reading, mentions: list[Mention], catalog: Catalog
) -> None:
    unknown_at = _unknown_at(reading, mentions)
    unknown = [reading.tokens[i].text for i in unknown_at]
    toks = reading.tokens
    # A misspelt word is often half of a two-word name ("savr rate" ~ saver_rate).
    near = [f"{toks[i].text} {toks[i + 1].text}" for i in unknown_at if i + 1 < len(toks)]
    near += [f"{toks[i - 1].text} {toks[i].text}" for i in unknown_at if i > 0]
    near = [*near, *unknown]
    if not mentions:
        raise PlanningError(
            f"Nothing in the question matches a table, column, value or metric of the catalog"
            f" '{catalog.name}'" + (f" (unknown: {shown_words(unknown)})." if unknown else "."),
            hint=refusal_hint(catalog, near),
        )
    if unknown:
        understood = shown_words([m.text for m in mentions])
        raise PlanningError(
            f"Understood {understood}, but not {shown_words(unknown)}: no table,"
            " column, value or metric of the catalog matches it.",
            hint=refusal_hint(catalog, unknown) + " Or add the word as a synonym in the catalog.",
        )


def _plan(
    q: str, catalog: Catalog, ctx: PlannerContext, reading: Reading, roles: Roles
) -> QueryPlan:
    choice = choose_measure(catalog, roles, reading)
    slots: list[Slot] = []
    for m in choice.attributes:
        slots.append(Slot("dim", attribute_refs(catalog, m)))
    ranking = reading.limit is not None or bool(reading.superlatives) or reading.order is not None
    notes = list(roles.notes)
    for m in _units_averaged_over(catalog, choice, roles, ranking):
        roles.dims.remove(m)
        notes.append(
            f"'each {m.text} ... on average': {choice.metric} is already a mean over each"
            f" {m.text}, so the rows are not split by {m.text}."
        )
    for m in roles.dims:
        refs = column_refs(catalog, m, kinds={"category", "boolean", "date", "key"})
        # "per creator" / "each creator" name one group per entity, as a ranking does.
        per = m.start > 0 and reading.tokens[m.start - 1].lower in ("per", "each", "every")
        picked = entity_or_flag(catalog, m, refs, ranking=ranking or per)
        note = None
        if len(picked) < len(refs):
            dropped = ", ".join(str(r) for r in refs if r not in picked)
            verb = "Ranked" if ranking else "Grouped"
            note = (
                f"{verb} each '{m.text}' by {{pick}}; the flag {dropped} (the same word) would"
                " only split the rows in two."
            )
        slots.append(Slot("dim", picked, note=note))
    for refs, op, values in value_filters(catalog, roles):
        slots.append(Slot(f"filter:{op}", refs, values=list(values)))
        if refs and refs[0].column in roles.contrasts:
            slots.append(Slot("dim", refs))
    for m, negated in roles.booleans:
        refs = column_refs(catalog, m, kinds={"boolean"})
        note = None
        if m.start > 0 and reading.tokens[m.start - 1].lower == "by":
            note = (
                f"Read 'by {m.text}' as only {m.text} ({{pick}} = true); say 'by {m.text} flag'"
                " to split the rows by it."
            )
        slots.append(Slot("bool:" + ("false" if negated else "true"), refs, note=note))
    counting_units = choice.kind == "entity"
    for m, op, value in roles.compared:
        refs = column_refs(catalog, m, kinds={"numeric"})
        slots.append(Slot(f"compare:{op}", refs, values=[value]))
    if choice.kind in ("entity", "rows", "count_distinct"):
        for m in roles.numeric:  # "users who saved" -> saves > 0
            slots.append(Slot("compare:>", column_refs(catalog, m, kinds={"numeric"}), values=[0]))
        roles.numeric = []
    for m in roles.other_columns:
        slots.append(Slot("dim", column_refs(catalog, m, kinds={"category", "key"})))
    if roles.numeric:
        names = ", ".join(f"'{m.text}'" for m in roles.numeric)
        raise PlanningError(
            f"Not sure what to do with {names} in this question.",
            hint="Ask for one measure at a time, or compare it with a number.",
        )
    needs_time = reading.period is not None or reading.grain is not None
    if needs_time:
        slots.append(date_slot(catalog, roles))
    else:
        for m in roles.date_columns:
            slots.append(Slot("hint", column_refs(catalog, m, kinds={"date"}), hard=False))
    did: set[str] = set()
    for m in roles.tables:
        refs = [ColumnRef(c.table, "") for c in m.of_kind("table")]
        slots.append(Slot("hint", refs, hard=False))
        if _names_what_they_did(reading, m):
            did |= {r.table.lower() for r in refs}
        if m.start > 0 and reading.tokens[m.start - 1].lower == "by" and roles.values:
            notes.append(
                f"Read 'by {m.text} ...' as whose rows to count (the filters that follow),"
                f" not a breakdown; say 'per {m.text.rstrip('s')}' to split by them."
            )
    penalty = {}
    if choice.kind == "entity" and choice.entity is not None:
        penalty = {b: _FACT_PENALTY for b in choice.bases if b != choice.entity}
        if did & {b.lower() for b in choice.bases}:
            # "customers who ordered": count them where the verb's rows are (and date them there).
            penalty = {b: _DID_PENALTY for b in choice.bases if b.lower() not in did}
        named_in = _tables_named_in(reading, roles) & {b.lower() for b in choice.bases}
        if named_in:  # "<entities> in <table>": count them there, as the question says
            penalty = {b: _DID_PENALTY for b in choice.bases if b.lower() not in named_in}
    resolved = resolve_base(catalog, choice.bases, slots, penalty)
    if resolved is None:
        raise PlanningError(
            "No table holds everything the question asks for, and no join path along the"
            " catalog's join keys connects them.",
            hint=_understood(roles, choice),
        )
    if resolved.base.lower() in did and choice.entity is not None:
        notes.append(
            f"Counted the {choice.entity} that appear in {resolved.base} (the question's verb"
            " says what they did), not all of them."
        )
    elif choice.kind == "entity" and choice.entity and not _base_named(slots, resolved, roles):
        notes += _other_tables_holding(choice.entity, choice.bases, resolved.base, reading)
    plan = assemble_plan(q, catalog, ctx, reading, roles, choice, slots, resolved, counting_units)
    plan.notes[:0] = notes
    refuse_dropped_words(reading, roles, plan)
    plan.notes += restrictions_not_applied(reading, roles, plan)
    return plan


def _other_tables_holding(entity: str, bases: list[str], base: str, reading: Reading) -> list[str]:
    """'products sold in June', 'customers who bought in June': no table is named, so the
    nearest one holding them (or their own date) decided; name the others."""
    others = [b for b in bases if b not in (entity, base)]
    if not others:
        return []
    where = f"('{entity} in {others[0]}')"
    if base != entity:
        return [
            f"Counted the {entity} that appear in {base}; they also appear in "
            f"{', '.join(others)}: name one {where} to count there instead."
        ]
    if reading.period is None:
        return []
    return [
        f"Dated by the {entity}' own date; they also appear in {', '.join(others)}: name one "
        f"{where} to count the ones with rows there in the period."
    ]


def _base_named(slots: list[Slot], resolved: Resolved, roles: Roles) -> bool:
    """Whether a word of the question chose the base: a column of it (a filter, a group) or a
    date column by name. Otherwise only the period did, and the choice was the planner's."""
    if roles.date_columns or roles.active:  # "active users": the table of activity
        return True
    base = resolved.base.lower()
    return any(
        pick is not None and slot.role not in ("date", "hint") and pick.table.lower() == base
        for slot, pick in zip(slots, resolved.picks, strict=True)
    )


def _tables_named_in(reading: Reading, roles: Roles) -> set[str]:
    """Tables the question places the counted ones in ('in <table>', 'from <table>')."""
    toks = reading.tokens
    return {
        c.table.lower()
        for m in roles.tables
        if m.start > 0 and toks[m.start - 1].lower in ("in", "from")
        for c in m.of_kind("table")
    }


def _names_what_they_did(reading: Reading, m: Mention) -> bool:
    """'customers who ordered in June': a table named by a verb after 'who'/'that' is where
    the units are counted (and dated), not a hint the planner may drop."""
    toks = reading.tokens
    return (
        m.end - m.start == 1
        and toks[m.start].lower.endswith("ed")
        and m.start > 0
        and toks[m.start - 1].lower in ("who", "that", "which")
    )


def _units_averaged_over(
    catalog: Catalog, choice: MeasureChoice, roles: Roles, ranking: bool
) -> list[Mention]:
    """'active days each user had on average': the user is the metric's unit, averaged over,
    not a group (a ranking of users would still group by them)."""
    metric = catalog.metric(choice.metric) if choice.kind == "metric" and choice.metric else None
    if metric is None or roles.agg != "AVG" or ranking:
        return []
    unit = metric.unit.lower()
    return [
        m
        for m in roles.dims
        if any((c.column or "").lower() == unit for c in m.of_kind("column"))
        or any(table_key(catalog, c.table) == metric.unit for c in m.of_kind("table"))
    ]


def _understood(roles: Roles, choice: MeasureChoice) -> str:
    parts = [f"measure: {choice.metric or choice.entity or ', '.join(map(str, choice.columns))}"]
    if roles.dims:
        parts.append("groups: " + ", ".join(m.text for m in roles.dims))
    if roles.values:
        parts.append("filters: " + ", ".join(m.text for m, _ in roles.values))
    return "Understood " + "; ".join(parts) + ". Add a join key to the catalog if they relate."
