"""The period of a plan: the question's dates, or all data for partitioned tables, and the
note that says which days a relative period became."""

from __future__ import annotations

from datetime import date

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.plan_model import ColumnRef, QueryPlan
from tools.planner.planner_context import PlannerContext
from tools.planner.read_question import Reading

_RELATIVE_WORDS = {"last", "past", "previous", "trailing", "yesterday", "today", "this", "ago"}
_RELATIVE_WORDS |= {"date"}  # "year to date"


def apply_period(catalog: Catalog, ctx: PlannerContext, reading: Reading, plan: QueryPlan) -> None:
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


def _relative_period_note(
    label: str, start: date | None, end: date | None, ctx: PlannerContext
) -> str | None:
    """Say which days a relative period ("last week") became, and from which day it counted;
    a week or days of a named month ("first week of October") say which days they are."""
    words = label.lower().split()
    days = f"{start} to {end}" if start != end else f"{start}"
    if start is None or end is None:
        days = f"from {start}" if start else f"up to {end}"
    if "of" in words and ("week" in words or "days" in words):
        back = any(w in ("last", "final") for w in words[: words.index("of")])
        side = "back from its last" if back else "from its first"
        return f"'{label}' read as {days}: days of the month counted {side} day."
    if not any(w in _RELATIVE_WORDS for w in words):
        return None
    note = f"'{label}' read as {days}"
    if ctx.calendar_today is not None and ctx.calendar_today != ctx.today:
        last = date.fromordinal(ctx.today.toordinal() - 1)
        note += (
            f", counted back from the data's last day ({last}), not from today"
            f" ({ctx.calendar_today})"
        )
    return note + "."
