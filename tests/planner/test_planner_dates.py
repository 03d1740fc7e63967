"""Periods in questions resolve against the reference day (the day after the data ends)."""

from __future__ import annotations

from datetime import date

import pytest

from tools.errors import PlanningError
from tools.planner import plan_query
from tools.planner.dates import find_date_range

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("saves yesterday", date(2026, 10, 31), date(2026, 10, 31)),
        ("saves in the last 7 days", date(2026, 10, 25), date(2026, 10, 31)),
        ("saves over the past 2 weeks", date(2026, 10, 18), date(2026, 10, 31)),
        ("saves in the past week", date(2026, 10, 25), date(2026, 10, 31)),
        ("saves in October", date(2026, 10, 1), date(2026, 10, 31)),
        ("saves in sept 2026", date(2026, 9, 1), date(2026, 9, 30)),
        ("saves last month", date(2026, 10, 1), date(2026, 10, 31)),
        ("saves between October 1 and October 10", date(2026, 10, 1), date(2026, 10, 10)),
        ("saves from Sep 15 to Sep 30", date(2026, 9, 15), date(2026, 9, 30)),
        ("saves since 2026-10-20", date(2026, 10, 20), None),
        ("saves on 2026-10-05", date(2026, 10, 5), date(2026, 10, 5)),
        ("signups after 2026-10-01", date(2026, 10, 2), None),
        # A week of a month is seven days counted from its first or back from its last.
        ("saves in the first week of October", date(2026, 10, 1), date(2026, 10, 7)),
        ("saves during the 2nd week of october", date(2026, 10, 8), date(2026, 10, 14)),
        ("saves the third week of sept 2026", date(2026, 9, 15), date(2026, 9, 21)),
        ("saves in the fourth week of September", date(2026, 9, 22), date(2026, 9, 28)),
        ("saves last week of october", date(2026, 10, 25), date(2026, 10, 31)),
        ("saves in the final week of february 2024", date(2024, 2, 23), date(2024, 2, 29)),
        ("saves in the first 10 days of October", date(2026, 10, 1), date(2026, 10, 10)),
        ("saves over the last three days of september", date(2026, 9, 28), date(2026, 9, 30)),
    ],
)
def test_periods_resolve_against_the_reference_day(
    text: str, start: date, end: date | None
) -> None:
    found = find_date_range(text, TODAY)
    assert found is not None
    assert (found.start, found.end) == (start, end)


def test_more_days_than_the_month_has_are_refused() -> None:
    with pytest.raises(ValueError, match="30 days"):
        find_date_range("saves in the first 40 days of september", TODAY)


def test_a_week_of_a_month_plans_over_exactly_those_days(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("total saves in the last week of october", catalog, context)
    assert (plan.start, plan.end) == (date(2026, 10, 25), date(2026, 10, 31))


def test_a_month_without_a_year_is_the_latest_one_that_has_started() -> None:
    found = find_date_range("saves in December", TODAY)
    assert found is not None and found.start == date(2025, 12, 1)


def test_an_impossible_date_is_refused_not_guessed(catalog, context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanningError, match="period"):
        plan_query("total saves on February 30", catalog, context)


def test_no_period_on_a_partitioned_table_uses_all_data_and_says_so(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("total saves by surface", catalog, context)
    assert (plan.start, plan.end) == (date(2026, 9, 1), date(2026, 10, 31))
    assert any("No period given" in n for n in plan.notes)


def test_the_days_a_week_of_a_month_became_are_said(catalog, context) -> None:  # type: ignore[no-untyped-def]
    first = plan_query("total saves in the first week of october", catalog, context)
    assert any("2026-10-01 to 2026-10-07" in n and "from its first day" in n for n in first.notes)
    last = plan_query("total saves in the last 3 days of october", catalog, context)
    assert any("2026-10-29 to 2026-10-31" in n and "back from its last" in n for n in last.notes)
