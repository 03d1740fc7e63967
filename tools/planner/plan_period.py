"""The period of a plan: the question's dates, or all data for partitioned tables, and the
note that says which days a relative period became."""

from __future__ import annotations

from datetime import date, timedelta

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
    plan.notes += _coverage_notes(plan, ctx) + _partial_bucket_notes(plan)


def _coverage_notes(plan: QueryPlan, ctx: PlannerContext) -> list[str]:
    """'monthly saves in Q3' on data from September: July and August are absent, not zero."""
    out = []
    if plan.start is not None and ctx.data_start is not None and plan.start < ctx.data_start:
        out.append(
            f"The data starts {ctx.data_start}: the period's days before it ({plan.start} on)"
            " have no rows, so they are absent from the answer, not zero."
        )
    if plan.end is not None and ctx.data_end is not None and plan.end > ctx.data_end:
        out.append(
            f"The data ends {ctx.data_end}: the period's days after it (to {plan.end}) have no"
            " rows, so they are absent from the answer, not zero."
        )
    return out


_BUCKET_WORDS = {"week": "Weekly buckets start on Mondays", "month": "Monthly buckets"}
_BUCKET_WORDS |= {"quarter": "Quarterly buckets", "year": "Yearly buckets"}


def _partial_bucket_notes(plan: QueryPlan) -> list[str]:
    """A trend whose period cuts its first or last bucket: that total covers fewer days, and
    a chart of it dips for no reason, so the buckets and their days are named."""
    grain = plan.grain
    if grain not in _BUCKET_WORDS or plan.start is None or plan.end is None:
        return []
    partial = []
    first = _bucket_of(plan.start, grain)
    if first[0] < plan.start:
        partial.append(("first", first, (min(first[1], plan.end) - plan.start).days + 1))
    last = _bucket_of(plan.end, grain)
    if last[1] > plan.end and last != first:
        partial.append(("last", last, (plan.end - last[0]).days + 1))
    if not partial:
        return []
    named = [
        f"the {which}, {b[0]} ({days} of its {(b[1] - b[0]).days + 1} days)"
        for which, b, days in partial
    ]
    verb = "is" if len(named) == 1 else "are"
    return [
        f"{_BUCKET_WORDS[grain]}: {' and '.join(named)} {verb} partial; compare whole "
        f"{grain}s only."
    ]


def _bucket_of(day: date, grain: str) -> tuple[date, date]:
    """The first and last day of the week (ISO, from Monday), month, quarter or year of `day`,
    as DATE_TRUNC buckets them."""
    if grain == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if grain == "month":
        start = day.replace(day=1)
    elif grain == "quarter":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        start = day.replace(month=1, day=1)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    year, month = divmod(start.month - 1 + months, 12)
    return start, date(start.year + year, month + 1, 1) - timedelta(days=1)


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
