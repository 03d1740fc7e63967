"""Everyday phrasings of the same plan: comparisons after their number, counts beside
superlatives, adjectives of value names, share-of-units and per-unit averages read as the
catalog's metrics (with a note), irregular verbs and open-ended dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.planner import plan_query
from tools.planner.plan_model import QueryPlan


def _filters(plan: QueryPlan) -> list[tuple[str, str, Any]]:
    return [(f.column.column, f.op, f.values) for f in plan.filters]


def test_a_comparison_may_follow_its_number(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("pins with 0.5 or more quality score", catalog, context)
    assert ("quality_score", ">=", (0.5,)) in _filters(plan)
    plan = plan_query("users with 3 or fewer clicks yesterday", catalog, context)
    assert plan.having or any(op == "<=" for _c, op, _v in _filters(plan))


def test_a_count_beside_a_superlative_is_the_limit(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("5 most clicked pins last week", catalog, context)
    assert (plan.limit, plan.order) == (5, "desc")
    plan = plan_query("worst 2 platforms by ctr", catalog, context)
    assert (plan.limit, plan.order) == (2, "asc")


def test_the_largest_number_of_ranks_a_count(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("the 4 countries with the largest number of users", catalog, context)
    assert plan.rollup is None and (plan.limit, plan.order) == (4, "desc")
    assert plan.measure.kind == "count_rows"


def test_adjective_forms_of_value_names(catalog, context) -> None:  # type: ignore[no-untyped-def]
    for q in ("how many German users", "number of Brazilian users"):
        plan = plan_query(q, catalog, context)
        assert [c for c, _op, _v in _filters(plan)] == ["country"], q


def test_share_of_units_who_did_something_is_the_proportion_metric(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("what fraction of users saved last week", catalog, context)
    assert plan.measure.kind == "metric" and plan.measure.metric == "saver_rate"
    assert any("saver_rate" in n for n in plan.notes)


def test_average_per_unit_is_the_mean_metric(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query(
        "on average how many clicks did each user make in September", catalog, context
    )
    assert plan.measure.kind == "metric" and plan.measure.metric == "clicks_per_user"
    assert not plan.dimensions and any("clicks_per_user" in n for n in plan.notes)


def test_irregular_verbs_and_open_ended_dates(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how much time did people spend from October 20 onwards", catalog, context)
    assert plan.measure.column is not None and plan.measure.column.column == "time_spent_s"
    assert plan.start == date(2026, 10, 20) and plan.end is None
    plan = plan_query("users who signed up later than 2026-10-15", catalog, context)
    assert plan.start == date(2026, 10, 16)


def test_a_value_after_a_preposition_is_no_verb(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how many users do we have in Japan or in Brazil", catalog, context)
    assert _filters(plan) == [("country", "in", ("JP", "BR"))]


def test_how_many_times_is_a_total_not_a_time_column(catalog, context) -> None:  # type: ignore[no-untyped-def]
    for q in (
        "how many times were pins saved on search in October",
        "the number of times pins were saved in October",
    ):
        plan = plan_query(q, catalog, context)
        assert plan.measure.kind == "aggregate" and plan.measure.agg == "SUM", q
        assert plan.measure.column is not None and plan.measure.column.column == "saves", q
    # 'times' elsewhere is still the word it was: a comparison's unit.
    plan = plan_query("users who saved more than 20 times in October", catalog, context)
    assert plan.having or any(op == ">" for _c, op, _v in _filters(plan))


def test_a_column_synonym_also_names_its_twin_at_another_grain(catalog, context) -> None:  # type: ignore[no-untyped-def]
    # The synonym is written on the per-user table's column only; a filter on the pins
    # reaches only the per-pin table, whose column of the same name answers.
    per_user = catalog.table("engagement_daily").column("saves")
    per_pin = catalog.table("pin_engagement_daily").column("saves")
    assert "pins saved" in per_user.synonyms and "pins saved" not in per_pin.synonyms
    plan = plan_query(
        "how many times were travel pins saved on search in October", catalog, context
    )
    assert plan.base_table == "pin_engagement_daily"
    assert plan.measure.column is not None and plan.measure.column.column == "saves"
    assert ("category", "=", ("travel",)) in _filters(plan)
