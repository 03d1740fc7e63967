"""Roll-ups (the mean of daily totals, of per-entity counts) and the ranking of a plan's rows."""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.planner.plan_model import Measure, QueryPlan
from tools.planner.read_question import Reading
from tools.planner.roles import Roles
from tools.planner.tokens import stem

_ROLLUPS = ("AVG", "MEDIAN", "MAX", "MIN")
_ROLLUP_WORDS = {"AVG": "average", "MEDIAN": "median", "MAX": "largest", "MIN": "smallest"}


def apply_rollup(catalog: Catalog, reading: Reading, roles: Roles, plan: QueryPlan) -> None:
    """'average daily saves' is the mean of daily totals; 'pins per creator on average' is
    the mean of the per-entity counts — not a mean over rows."""
    agg = roles.agg
    if agg not in _ROLLUPS or roles.agg_from_superlative:
        return
    m = plan.measure
    counting = m.kind in ("count_rows", "count_distinct") and not (plan.having or plan.having_rows)
    base = catalog.table(plan.base_table)
    event_sum = m.kind == "aggregate" and m.agg == agg and base is not None and base.time_column
    if plan.grain is not None and (counting or event_sum):
        if event_sum:
            plan.measure = Measure("aggregate", agg="SUM", column=m.column)
        plan.rollup, plan.rollup_keep = agg, list(plan.dimensions)
    elif counting and plan.dimensions and plan.grain is None:
        plan.rollup, plan.rollup_keep = agg, []
        _note_groups_without_rows(plan, agg)
    elif event_sum and plan.grain is None and _per_entities(catalog, reading, roles, plan):
        # "average spend per campaign": the mean of each campaign's total, not of its rows.
        plan.measure = Measure("aggregate", agg="SUM", column=m.column)
        plan.rollup, plan.rollup_keep = agg, []
        word = _ROLLUP_WORDS[agg]
        plan.notes.append(
            f"'{word} ... per {roles.dims[0].text}': the {word} of each {roles.dims[0].text}'s"
            f" total {m.column.column if m.column else ''}, not of its rows."
        )
        _note_groups_without_rows(plan, agg)


def _note_groups_without_rows(plan: QueryPlan, agg: str) -> None:
    """The groups of a per-group average are the ones the rows name: a group with no row
    (a 0 that would lower a mean) is not among them, and the answer says so."""
    if agg == "MAX":
        return  # a 0 never raises a largest value
    groups = ", ".join(d.column for d in plan.dimensions)
    plan.notes.append(
        f"The {_ROLLUP_WORDS.get(agg, agg.lower())} is over the {groups} values found in "
        f"{plan.base_table}, each with at least one row; any with none (a 0) are left out."
    )


def _per_entities(catalog: Catalog, reading: Reading, roles: Roles, plan: QueryPlan) -> bool:
    """Every group is an entity key named right after 'per' ('average spend per campaign')."""
    from tools.planner.match import Concept
    from tools.planner.roles import column_kind

    if not roles.dims or len(roles.dims) != len(plan.dimensions):
        return False
    toks = reading.tokens
    return all(
        column_kind(catalog, Concept("column", d.table, column=d.column)) == "key"
        for d in plan.dimensions
    ) and all(m.start > 0 and toks[m.start - 1].lower == "per" for m in roles.dims)


# Superlatives that judge rather than measure: "the worst hide rate" is its highest value when
# the catalog says lower is better for the metric.
_JUDGING = {stem("best"), stem("worst")}


def apply_order(catalog: Catalog, reading: Reading, roles: Roles, plan: QueryPlan) -> None:
    if (not plan.dimensions and plan.grain is None) or plan.rollup or plan.change:
        return  # one row: nothing to rank
    plan.limit = reading.limit
    if reading.superlatives and not roles.agg_from_superlative:
        at, direction = reading.superlatives[0]
        word = reading.tokens[at]
        metric = catalog.metric(plan.measure.metric) if plan.measure.metric else None
        if word.stem in _JUDGING and metric is not None and not metric.higher_is_better:
            direction = "asc" if direction == "desc" else "desc"
            plan.notes.append(
                f"Read '{word.text}' as the {'lowest' if direction == 'asc' else 'highest'}"
                f" {metric.name}: lower is better for it (the catalog's higher_is_better)."
            )
        plan.order = "desc" if direction == "desc" else "asc"
        plural = _plural_which(reading, roles)
        if plan.limit is None and plural is not None:
            plan.limit = PLURAL_WHICH_LIMIT
            plan.notes.append(
                f"'{plural}' asks for several: the top {PLURAL_WHICH_LIMIT} shown,"
                f" {'highest' if plan.order == 'desc' else 'lowest'} first"
                " (say 'top N' for another number)."
            )
        elif plan.limit is None and (_asks_which(reading) or _leads_with_one(reading, plan)):
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


# "which countries have the most creators": a plural asks for a ranking, but not of every row.
PLURAL_WHICH_LIMIT = 10


def _plural_which(reading: Reading, roles: Roles) -> str | None:
    """The group words right after 'which'/'what' when they are a plural ('which countries')."""
    toks = reading.tokens
    for i, t in enumerate(toks):
        if t.lower not in ("which", "what"):
            continue
        m = next((d for d in roles.dims if d.start == i + 1), None)
        if m is not None:
            last = toks[m.end - 1].lower
            # "statuses" and "countries" are plurals; "status", "class" and "analysis" are not.
            if last.endswith("s") and not last.endswith(("ss", "us", "is")):
                return m.text
    return None


def _asks_which(reading: Reading) -> bool:
    return any(t.lower in ("which", "what") for t in reading.tokens)
