"""Question + catalog -> QueryPlan: the offline planner's core, pure (no I/O, no model).

It reads the question in two passes (read_question: period, grain, ranking, comparisons;
roles: what each catalog mention is for), picks the base table and joins that need the fewest
join steps, and fails with a PlanningError naming what it understood and what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.base_table import (
    Resolved,
    Slot,
    column_refs,
    date_slot,
    resolve_base,
    value_filters,
)
from tools.planner.join_path import fans_out, foreign_keys_to, table_key
from tools.planner.match import Mention, cached_lexicon, find_mentions
from tools.planner.measure import MeasureChoice, choose_measure
from tools.planner.plan_model import ColumnRef, Filter, Measure, QueryPlan
from tools.planner.read_question import Reading, read_question
from tools.planner.refusal import refusal_hint, refuse_long, shown_words
from tools.planner.roles import Roles, assign_roles, column_kind
from tools.planner.tokens import phrase_stems, tokenize
from tools.planner.vocabulary import FILLER, is_change_request

_FACT_PENALTY = 0.5  # count an entity in its own table unless the question needs a fact table


@dataclass(frozen=True)
class PlannerContext:
    """What the planner needs besides the catalog: the reference day for relative dates, the
    data's date bounds (a default period for partitioned tables), and string values read from
    the warehouse for columns the catalog does not enumerate."""

    today: date
    data_start: date | None = None
    data_end: date | None = None
    known_values: Mapping[tuple[str, str], Sequence[str]] = field(default_factory=dict)
    # The calendar day, when relative dates were anchored on the data instead (data ends
    # before it); None when `today` is the calendar day.
    calendar_today: date | None = None


def plan_query(question: str, catalog: Catalog, context: PlannerContext) -> QueryPlan:
    q = question.strip()
    if not q:
        raise PlanningError("The question is empty.", hint=refusal_hint(catalog, []))
    refuse_long(q)
    tokens = tokenize(q)
    verb = is_change_request([t.text for t in tokens])
    if verb:
        raise PlanningError(
            f"lablens only reads data; '{verb}' asks to change it, which it never does.",
            hint=refusal_hint(catalog, []),
        )
    lexicon = cached_lexicon(catalog, context.known_values)
    # Words inside a multi-word catalog name ("top category") are that name, not a cue.
    protected = {
        i
        for m in find_mentions(tokens, lexicon, set())
        if m.end - m.start > 1
        for i in range(m.start, m.end)
    }
    reading = read_question(q, tokens, context.today, protected=protected)
    mentions = find_mentions(tokens, lexicon, reading.used)
    _refuse_unknown_words(q, reading, mentions, catalog)
    roles = assign_roles(catalog, reading, mentions)
    return _plan(q, catalog, context, reading, roles)


def _refuse_unknown_words(
    q: str, reading: Reading, mentions: list[Mention], catalog: Catalog
) -> None:
    from tools.planner.vocabulary import (
        ACTIVE_WORDS,
        AGGREGATES,
        ASCENDING,
        COUNT_WORDS,
        DESCENDING,
        DISTINCT_WORDS,
        GROUP_WORDS,
        NEGATIONS,
        ROW_WORDS,
    )

    known = (
        FILLER
        | set(AGGREGATES)
        | DESCENDING
        | ASCENDING
        | COUNT_WORDS
        | DISTINCT_WORDS
        | GROUP_WORDS
        | NEGATIONS
        | ROW_WORDS
        | ACTIVE_WORDS
    )
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
    unknown_at = [
        i
        for i, t in enumerate(reading.tokens)
        if i not in covered and t.stem not in known and t.lower not in known
    ]
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


# ---- assembling the plan ------------------------------------------------------------------


def _plan(
    q: str, catalog: Catalog, ctx: PlannerContext, reading: Reading, roles: Roles
) -> QueryPlan:
    choice = choose_measure(catalog, roles, reading)
    slots: list[Slot] = []
    for m in choice.attributes:
        slots.append(Slot("dim", _attribute_refs(catalog, m)))
    ranking = reading.limit is not None or bool(reading.superlatives) or reading.order is not None
    for m in roles.dims:
        refs = column_refs(catalog, m, kinds={"category", "boolean", "date", "key"})
        picked = _entity_or_flag(catalog, m, refs, ranking=ranking)
        note = None
        if len(picked) < len(refs):
            dropped = ", ".join(str(r) for r in refs if r not in picked)
            note = (
                f"Ranked each '{m.text}' by {{pick}}; the flag {dropped} (the same word) would"
                " only split the rows in two."
            )
        slots.append(Slot("dim", picked, note=note))
    for refs, op, values in value_filters(catalog, roles):
        slots.append(Slot(f"filter:{op}", refs, values=list(values)))
        if refs and refs[0].column in roles.contrasts:
            slots.append(Slot("dim", refs))
    for m, negated in roles.booleans:
        refs = column_refs(catalog, m, kinds={"boolean"})
        slots.append(Slot("bool:" + ("false" if negated else "true"), refs))
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
    for m in roles.tables:
        slots.append(Slot("hint", [ColumnRef(c.table, "") for c in m.of_kind("table")], hard=False))
    penalty = {}
    if choice.kind == "entity" and choice.entity is not None:
        penalty = {b: _FACT_PENALTY for b in choice.bases if b != choice.entity}
    resolved = resolve_base(catalog, choice.bases, slots, penalty)
    if resolved is None:
        raise PlanningError(
            "No table holds everything the question asks for, and no join path along the"
            " catalog's join keys connects them.",
            hint=_understood(roles, choice),
        )
    return _assemble(q, catalog, ctx, reading, roles, choice, slots, resolved, counting_units)


def _entity_or_flag(
    catalog: Catalog, m: Mention, refs: list[ColumnRef], *, ranking: bool
) -> list[ColumnRef]:
    """A word that is both an entity (a *_id key) and a flag about it
    (an is_* flag): a ranking ranks the entities; otherwise both readings stay candidates."""
    kinds = {r: _ref_kind(catalog, r) for r in refs}
    keys = [r for r in refs if kinds[r] == "key"]
    flags = [r for r in refs if kinds[r] == "boolean"]
    if ranking and keys and flags:
        return [r for r in refs if kinds[r] != "boolean"]
    return refs


def _ref_kind(catalog: Catalog, ref: ColumnRef) -> str:
    from tools.planner.match import Concept

    return column_kind(catalog, Concept("column", ref.table, column=ref.column))


def _reading_notes(catalog: Catalog, slots: list[Slot], resolved: Resolved) -> list[str]:
    """Say which reading was taken when a word had readings of different kinds."""
    notes = []
    for slot, pick in zip(slots, resolved.picks, strict=True):
        if slot.role != "dim" or pick is None:
            continue
        kinds = {_ref_kind(catalog, r) for r in slot.candidates}
        if {"key", "boolean"} <= kinds:
            other = "the flag" if _ref_kind(catalog, pick) == "key" else "each entity"
            notes.append(f"Grouped by {pick} (not {other} the same word could mean).")
    return notes


def _name_entities(catalog: Catalog, plan: QueryPlan) -> None:
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
        if et is None or not et.name_column or _ref_kind(catalog, ref) != "key":
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


def _attribute_refs(catalog: Catalog, m: Mention) -> list[ColumnRef]:
    """What a lookup shows for a mention: the column, or a table's naming column."""
    named = [
        ColumnRef(t.name, t.name_column)
        for c in m.of_kind("table")
        if (t := catalog.table(c.table)) is not None and t.name_column
    ]
    return named or [ColumnRef(c.table, c.column or "") for c in m.of_kind("column")]


def _understood(roles: Roles, choice: MeasureChoice) -> str:
    parts = [f"measure: {choice.metric or choice.entity or ', '.join(map(str, choice.columns))}"]
    if roles.dims:
        parts.append("groups: " + ", ".join(m.text for m in roles.dims))
    if roles.values:
        parts.append("filters: " + ", ".join(m.text for m, _ in roles.values))
    return "Understood " + "; ".join(parts) + ". Add a join key to the catalog if they relate."


def _assemble(
    q: str,
    catalog: Catalog,
    ctx: PlannerContext,
    reading: Reading,
    roles: Roles,
    choice: MeasureChoice,
    slots: list[Slot],
    resolved: Resolved,
    counting_units: bool,
) -> QueryPlan:
    base = resolved.base
    base_table = catalog.table(base)
    assert base_table is not None
    plan = QueryPlan(
        question=q,
        base_table=base_table.name,
        measure=Measure("count_rows"),
        joins=resolved.joins,
        grain=reading.grain,
        change=reading.change,
    )
    via_fact = (
        counting_units and choice.entity is not None and base.lower() != choice.entity.lower()
    )
    for slot, pick in zip(slots, resolved.picks, strict=True):
        if pick is None:
            continue
        values = slot.values
        if slot.role == "dim":
            if pick not in plan.dimensions:
                plan.dimensions.append(pick)
            if slot.note:
                plan.notes.append(slot.note.format(pick=pick))
        elif slot.role.startswith("filter:"):
            plan.filters.append(Filter(pick, slot.role.split(":", 1)[1], tuple(values)))
        elif slot.role.startswith("bool:"):
            plan.filters.append(Filter(pick, "=", (slot.role.endswith("true"),)))
        elif slot.role.startswith("compare:"):
            f = Filter(pick, slot.role.split(":", 1)[1], tuple(values))
            # "users with more than 20 saves": a condition on each user's total, not per row.
            (
                plan.having if via_fact and pick.table.lower() == base.lower() else plan.filters
            ).append(f)
        elif slot.role == "date":
            plan.time_column = pick
    plan.measure = _measure(catalog, choice, base, plan, via_fact)
    extra = choice.extra[1:] if choice.kind == "ratio" else choice.extra
    plan.extra_measures = [_extra_measure(catalog, reading, m, base, plan) for m in extra]
    plan.notes += _reading_notes(catalog, slots, resolved)
    if resolved.joins:
        path = "; ".join(f"{j.left} = {j.right}" for j in resolved.joins)
        plan.notes.append(f"Join path (shortest over the catalog's join keys): {path}.")
    _note_date_column(catalog, roles, plan)
    _refuse_fan_out(catalog, plan)
    _apply_period(catalog, ctx, reading, plan)
    _apply_rollup(catalog, roles, plan)
    _name_entities(catalog, plan)
    _apply_order(reading, roles, plan)
    _refuse_arm_comparison(catalog, plan)
    return plan


def _refuse_arm_comparison(catalog: Catalog, plan: QueryPlan) -> None:
    """A measure split by an experiment's arms must use the experiment's window and scope
    (and its statistics): a plain join over all dates would contradict the analysis."""
    src = catalog.experiments
    if src is None or plan.measure.kind in ("count_rows", "count_distinct", "list", "lookup"):
        return
    if src.assignment_table.lower() not in {t.lower() for t in plan.tables}:
        return
    ids = [
        str(v)
        for f in plan.filters
        if f.column.column.lower() == src.experiment_column.lower()
        for v in f.values
    ]
    which = ids[0] if len(ids) == 1 else "<id>"
    raise PlanningError(
        "This compares a measure across an experiment's arms; the planner would join"
        " assignments over every date and row, which contradicts the experiment's window"
        " and scope.",
        hint=f"Run `lablens experiment summarize {which}` (the experiment's own window, scope"
        " and statistics); counting units per arm works here.",
    )


def _measure(
    catalog: Catalog, choice: MeasureChoice, base: str, plan: QueryPlan, via_fact: bool
) -> Measure:
    if choice.kind == "metric":
        if choice.note:
            plan.notes.append(choice.note)
        return Measure("metric", metric=choice.metric)
    if choice.kind == "list":
        return Measure("list", entity=choice.entity)
    if choice.kind == "share":
        col = next(c for c in choice.columns if c.table.lower() == base.lower())
        if choice.share_value is None:
            return Measure("share", column=col, entity=base)
        op = "!=" if choice.negated else "="
        return Measure("share", column=col, entity=base, share_where=(op, choice.share_value))
    if choice.kind == "lookup":
        shown, plan.dimensions = tuple(plan.dimensions), []
        return Measure("lookup", columns=shown, entity=base)
    if choice.kind == "ratio":
        num = next(c for c in choice.columns if c.table.lower() == base.lower())
        den = next(
            ColumnRef(c.table, c.column or "")
            for c in choice.extra[0].of_kind("column")
            if c.table.lower() == base.lower()
        )
        plan.notes.append(f"'per' read as a ratio of sums: SUM({num.column}) / SUM({den.column}).")
        return Measure("ratio", column=num, denominator=den)
    if choice.kind == "aggregate":
        col = next(c for c in choice.columns if c.table.lower() == base.lower())
        agg = choice.agg
        if agg is None:
            agg = _default_agg(catalog, col)
            word = "summed" if agg == "SUM" else "averaged"
            plan.notes.append(
                f"No aggregation named: {col.column} {word} (its default; say 'total' or"
                " 'average' to choose)."
            )
        return Measure("aggregate", agg=agg, column=col)
    if choice.kind == "count_distinct":
        col = next(c for c in choice.columns if c.table.lower() == base.lower())
        return Measure("count_distinct", column=col)
    entity = choice.entity or base
    if via_fact:
        fk = next(r for r in foreign_keys_to(catalog, entity) if r.table.lower() == base.lower())
        return Measure("count_distinct", column=fk, entity=entity)
    if any(fans_out(catalog, j) for j in plan.joins):
        key = table_key(catalog, base)
        if key is not None:
            return Measure("count_distinct", column=ColumnRef(base, key), entity=entity)
    return Measure("count_rows", entity=entity)


def _extra_measure(
    catalog: Catalog, reading: Reading, m: Mention, base: str, plan: QueryPlan
) -> Measure:
    """One more aggregate: the aggregation word just before it, else the column's default."""
    from tools.planner.vocabulary import AGGREGATES

    col = next(
        ColumnRef(c.table, c.column or "")
        for c in m.of_kind("column")
        if c.table.lower() == base.lower()
    )
    before = [t.stem for t in reading.tokens[max(0, m.start - 2) : m.start]]
    agg = next((AGGREGATES[w] for w in reversed(before) if w in AGGREGATES), None)
    if agg is None:
        agg = plan.measure.agg if plan.measure.kind == "aggregate" else None
    return Measure("aggregate", agg=agg or _default_agg(catalog, col), column=col)


def _note_date_column(catalog: Catalog, roles: Roles, plan: QueryPlan) -> None:
    """When a table has several dates and the question named none, say which one was used."""
    ref = plan.time_column
    if ref is None or roles.date_columns:
        return
    t = catalog.table(ref.table)
    dates = [c for c in t.columns if c.is_date or c.type.upper().startswith("DATE")] if t else []
    if len(dates) > 1:
        others = ", ".join(c.name for c in dates if c.name != ref.column)
        plan.notes.append(f"Dated by {ref} (the table's time column; it also has {others}).")


def _default_agg(catalog: Catalog, ref: ColumnRef) -> str:
    """The catalog's default for the column; else event counts in dated fact tables add up
    and attributes of entities are averaged."""
    t = catalog.table(ref.table)
    c = t.column(ref.column) if t is not None else None
    if c is not None and c.default_agg:
        return c.default_agg.upper()
    return "SUM" if t is not None and t.time_column else "AVG"


def _refuse_fan_out(catalog: Catalog, plan: QueryPlan) -> None:
    """A join that can repeat the base table's rows would inflate sums and ratios: say so
    rather than return a wrong number."""
    if plan.measure.kind not in ("metric", "aggregate", "list", "ratio", "share"):
        return
    for step in plan.joins:
        if fans_out(catalog, step):
            raise PlanningError(
                f"The measure lives in {plan.base_table}, and {step.table} only relates to it"
                f" through {step.left} = {step.right}, where one row matches many; joining it"
                " would count rows several times.",
                hint=f"Ask about {step.table} on its own, or add a join key to the catalog that"
                " relates it one-to-one.",
            )


def _apply_period(catalog: Catalog, ctx: PlannerContext, reading: Reading, plan: QueryPlan) -> None:
    if reading.period is not None:
        plan.start, plan.end = reading.period.start, reading.period.end
        plan.period_label = reading.period.label
        note = _relative_period_note(reading.period.label, plan.start, plan.end, ctx)
        if note:
            plan.notes.append(note)
    partitioned = [catalog.table(t) for t in plan.tables]
    needs = [t for t in partitioned if t is not None and t.require_partition_filter]
    if needs and plan.start is None and plan.end is None:
        if ctx.data_start is None or ctx.data_end is None:
            raise PlanningError(
                f"Table {needs[0].name} must be filtered on {needs[0].partition_column}, and the"
                " question names no period.",
                hint="Add a period, e.g. 'in the last 7 days'.",
            )
        plan.start, plan.end = ctx.data_start, ctx.data_end
        plan.period_label = "all available data"
        plan.notes.append(f"No period given: used all data, {ctx.data_start} to {ctx.data_end}.")
    if plan.time_column is None and (plan.start or plan.end) and needs:
        t = needs[0]
        plan.time_column = ColumnRef(t.name, t.time_column or t.partition_column or "")
    if plan.grain is not None and plan.time_column is None:
        raise PlanningError(
            "The question asks for a trend, but no table in it has a date column.",
            hint="Set `time_column` on the table in the catalog.",
        )


_RELATIVE_WORDS = ("last", "past", "previous", "trailing", "yesterday", "today", "this", "ago")


def _relative_period_note(
    label: str, start: date | None, end: date | None, ctx: PlannerContext
) -> str | None:
    """Say which days a relative period ("last week") became, and from which day it counted."""
    words = label.lower().split()
    if not any(w in _RELATIVE_WORDS for w in words):
        return None
    days = f"{start} to {end}" if start != end else f"{start}"
    if start is None or end is None:
        days = f"from {start}" if start else f"up to {end}"
    note = f"'{label}' read as {days}"
    if ctx.calendar_today is not None and ctx.calendar_today != ctx.today:
        last = date.fromordinal(ctx.today.toordinal() - 1)
        note += (
            f", counted back from the data's last day ({last}), not from today"
            f" ({ctx.calendar_today})"
        )
    return note + "."


_ROLLUPS = ("AVG", "MEDIAN", "MAX", "MIN")


def _apply_rollup(catalog: Catalog, roles: Roles, plan: QueryPlan) -> None:
    """'average daily saves' is the mean of daily totals; 'pins per creator on average' is
    the mean of the per-entity counts — not a mean over rows."""
    agg = roles.agg
    if agg not in _ROLLUPS or roles.agg_from_superlative:
        return
    m = plan.measure
    counting = m.kind in ("count_rows", "count_distinct") and not plan.having
    base = catalog.table(plan.base_table)
    event_sum = m.kind == "aggregate" and m.agg == agg and base is not None and base.time_column
    if plan.grain is not None and (counting or event_sum):
        if event_sum:
            plan.measure = Measure("aggregate", agg="SUM", column=m.column)
        plan.rollup, plan.rollup_keep = agg, list(plan.dimensions)
    elif counting and plan.dimensions and plan.grain is None:
        plan.rollup, plan.rollup_keep = agg, []


def _apply_order(reading: Reading, roles: Roles, plan: QueryPlan) -> None:
    if (not plan.dimensions and plan.grain is None) or plan.rollup or plan.change:
        return  # one row: nothing to rank
    plan.limit = reading.limit
    if reading.superlatives and not roles.agg_from_superlative:
        plan.order = "desc" if reading.superlatives[0][1] == "desc" else "asc"
        if plan.limit is None and (_asks_which(reading) or _leads_with_one(reading, plan)):
            plan.limit = 1  # "which surface had the highest ..." wants one answer
    elif reading.order:
        plan.order = "asc" if reading.order == "asc" else "desc"
    if plan.order is None and plan.limit is not None:
        plan.order = "desc"


def _leads_with_one(reading: Reading, plan: QueryPlan) -> bool:
    """'surface with the highest hide rate': a singular group word first asks for one."""
    from tools.planner.tokens import phrase_stems

    words = [t for t in reading.tokens if t.lower not in ("the", "a")]
    if len(plan.dimensions) != 1 or not words or words[0].lower.endswith("s"):
        return False
    return phrase_stems(plan.dimensions[0].column)[:1] == (words[0].stem,)


def _asks_which(reading: Reading) -> bool:
    return any(t.lower in ("which", "what") for t in reading.tokens)
