"""Slots resolved onto a base table -> QueryPlan: the measure, filters, notes, then the period,
roll-up, entity names and order."""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.base_table import Resolved, Slot
from tools.planner.join_path import fans_out, foreign_keys_to, table_key
from tools.planner.match import Mention
from tools.planner.measure import MeasureChoice
from tools.planner.plan_checks import refuse_arm_comparison, refuse_fan_out
from tools.planner.plan_model import ColumnRef, Filter, JoinStep, Measure, QueryPlan
from tools.planner.plan_order import apply_order, apply_rollup
from tools.planner.plan_period import apply_period
from tools.planner.planner_context import PlannerContext
from tools.planner.read_question import Reading
from tools.planner.readings import name_entities, reading_notes
from tools.planner.roles import Roles


def assemble_plan(
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
            if slot.note:
                plan.notes.append(slot.note.format(pick=pick))
        elif slot.role.startswith("compare:"):
            f = Filter(pick, slot.role.split(":", 1)[1], tuple(values))
            # "users with more than 20 saves": a condition on each user's total, not per row,
            # also when those rows come through a join that repeats each user ("ios users").
            per_unit = via_fact and pick.table.lower() == base.lower()
            per_unit = per_unit or (counting_units and _repeated_per_unit(catalog, resolved, pick))
            (plan.having if per_unit else plan.filters).append(f)
        elif slot.role == "date":
            plan.time_column = pick
    plan.measure = _measure(catalog, choice, base, plan, via_fact)
    _apply_row_thresholds(catalog, reading, roles, plan)
    extra = choice.extra[1:] if choice.kind == "ratio" else choice.extra
    plan.extra_measures = [_extra_measure(catalog, reading, m, base, plan) for m in extra]
    plan.notes += reading_notes(catalog, slots, resolved)
    if resolved.joins:
        path = "; ".join(f"{j.left} = {j.right}" for j in resolved.joins)
        plan.notes.append(f"Join path (shortest over the catalog's join keys): {path}.")
    _note_date_column(catalog, roles, plan)
    # The arms' refusal first: it names the command that answers the question.
    refuse_arm_comparison(catalog, plan)
    refuse_fan_out(catalog, plan)
    apply_period(catalog, ctx, reading, plan)
    apply_rollup(catalog, reading, roles, plan)
    _note_rows_averaged(catalog, plan)
    name_entities(catalog, plan)
    apply_order(catalog, reading, roles, plan)
    return plan


def _apply_row_thresholds(
    catalog: Catalog, reading: Reading, roles: Roles, plan: QueryPlan
) -> None:
    """'creators who published more than 3 pins', '<people> with more than 3 <rows>': a
    condition on how many rows of a table each counted one has. What is counted is a key of
    that table, or the rows of a table it refers to (joined, and counted once each)."""
    from tools.planner.refusal import unplaced_comparison

    for mention, op, value, said in roles.row_thresholds:
        if op not in (">", ">=") and not (op == "=" and value > 0):
            # The ones with no rows at all would count too, and only existing rows are read.
            raise PlanningError(
                f"'{said}' would also count the ones with none at all, which this planner "
                "cannot count yet.",
                hint="Ask for 'more than' or 'at least' a number, or rank ('top … by …').",
            )
        tables = {c.table.lower(): c.table for c in mention.of_kind("table")}
        m = plan.measure
        if m.kind == "count_distinct" and m.column is not None and m.column.table.lower() in tables:
            plan.having_rows.append((m.column.table, op, value))
            continue
        entity = plan.base_table
        key = table_key(catalog, entity)
        refs = [c for c in foreign_keys_to(catalog, entity) if c.table.lower() in tables]
        if m.kind != "count_rows" or key is None or not refs:
            raise unplaced_comparison(said)
        rows = refs[0]
        if all(j.table.lower() != rows.table.lower() for j in plan.joins):
            plan.joins.append(JoinStep(rows.table, ColumnRef(entity, key), rows))
        plan.measure = Measure("count_distinct", column=ColumnRef(entity, key), entity=entity)
        plan.having_rows.append((rows.table, op, value))
        _date_the_counted_rows(catalog, reading, plan, rows.table)


def _date_the_counted_rows(catalog: Catalog, reading: Reading, plan: QueryPlan, table: str) -> None:
    """'more than 1 <row> in June': June's rows of that table, not the ones counted by it."""
    t = catalog.table(table)
    column = (t.time_column or t.partition_column) if t is not None else None
    if reading.period is None or t is None or not column:
        return
    if plan.time_column is not None and plan.time_column.table.lower() == table.lower():
        return
    plan.time_column = ColumnRef(t.name, column)
    plan.notes.append(
        f"The period is read on {t.name}.{column}: the {t.name} counted for each one."
    )


def _repeated_per_unit(catalog: Catalog, resolved: Resolved, pick: ColumnRef) -> bool:
    """A numeric column of a table the joins reach with many rows per counted unit."""
    from tools.planner.match import Concept
    from tools.planner.roles import column_kind

    if column_kind(catalog, Concept("column", pick.table, column=pick.column)) != "numeric":
        return False
    return any(
        step.table.lower() == pick.table.lower() and fans_out(catalog, step)
        for step in resolved.joins
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
            agg = default_agg(catalog, col)
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
    return Measure("aggregate", agg=agg or default_agg(catalog, col), column=col)


def default_agg(catalog: Catalog, ref: ColumnRef) -> str:
    """The catalog's default for the column; else event counts in dated fact tables add up
    and attributes of entities are averaged."""
    t = catalog.table(ref.table)
    c = t.column(ref.column) if t is not None else None
    if c is not None and c.default_agg:
        return c.default_agg.upper()
    return "SUM" if t is not None and t.time_column else "AVG"


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


_ROW_MEANS = {"AVG": "average", "MEDIAN": "median"}


def _note_rows_averaged(catalog: Catalog, plan: QueryPlan) -> None:
    """'average saves' over a table of one row per user and day is a mean of user-days, not
    of users: say what one averaged row is, and how to ask for a per-entity mean."""
    m = plan.measure
    if m.kind != "aggregate" or m.agg not in _ROW_MEANS or plan.rollup or m.column is None:
        return
    t = catalog.table(m.column.table)
    if t is None:
        return
    from tools.planner.match import Concept
    from tools.planner.roles import column_kind

    if t.key_column or table_key(catalog, t.name) not in (None, t.unit_column):
        return  # one row per entity of the table: the mean is per entity already
    keys = [
        c.name
        for c in t.columns
        if column_kind(catalog, Concept("column", t.name, column=c.name)) == "key"
    ]
    grain = [*keys, *([t.time_column] if t.time_column else [])]
    if not grain:
        return
    hint = ""
    if keys:
        hint = f"; ask '{m.column.column} per {keys[0].removesuffix('_id')}' for a per-entity mean"
    plan.notes.append(
        f"The {_ROW_MEANS[m.agg]} is over the rows of {t.name} (keyed by {', '.join(grain)}),"
        f" not over entities{hint}."
    )
