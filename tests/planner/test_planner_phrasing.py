"""Everyday phrasings of the same plan: comparisons after their number, counts beside
superlatives, adjectives of value names, share-of-units and per-unit averages read as the
catalog's metrics (with a note), irregular verbs and open-ended dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.planner import plan_query
from tools.planner.plan_model import ColumnRef, QueryPlan


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


def test_a_table_named_before_its_column_counts_the_column_values(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how many user countries do we have", catalog, context)
    assert plan.measure.kind == "count_distinct" and plan.measure.column == ColumnRef(
        "users", "country"
    )
    # A column of another table keeps its own reading.
    plan = plan_query("how many pins per category", catalog, context)
    assert plan.measure.kind != "count_distinct"


def test_a_plural_that_is_a_flag_and_a_key_counts_the_keys_where_the_table_is_named(
    catalog, context
) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how many creators have made at least one pin", catalog, context)
    assert plan.measure.kind == "count_distinct"
    assert plan.measure.column == ColumnRef("pins", "creator_id")
    assert any("creator_id" in n and "is_creator" in n for n in plan.notes)
    # Without the key's table, the flag's holders are counted.
    plan = plan_query("how many creators are there in Japan", catalog, context)
    assert plan.measure.kind == "count_rows" and plan.base_table == "users"
    assert ("is_creator", "=", (True,)) in _filters(plan) or any(
        f.column.column == "is_creator" for f in plan.filters
    )


def test_a_verb_the_catalog_knows_as_a_noun_reads_as_the_noun(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("unique pins engaged with yesterday", catalog, context)
    assert plan.measure.kind == "count_distinct" and plan.base_table == "pin_engagement_daily"
    assert any("'engaged' as 'engagement'" in n for n in plan.notes)


def test_agentive_by_after_an_irregular_participle_is_no_breakdown(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("saves made by creator accounts last week", catalog, context)
    assert not plan.dimensions
    assert any(f.column.column == "is_creator" for f in plan.filters)


def test_shared_months_pairs_based_and_non_flags(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("hides between 3 and 9 October", catalog, context)
    assert (plan.start, plan.end) == (date(2026, 10, 3), date(2026, 10, 9))
    plan = plan_query("closeups from September 2 to 12", catalog, context)
    assert (plan.start, plan.end) == (date(2026, 9, 2), date(2026, 9, 12))
    plan = plan_query("which pair of platforms has the most users", catalog, context)
    assert (plan.limit, plan.order) == (2, "desc")
    plan = plan_query("saves from Japan-based users yesterday", catalog, context)
    assert [c for c, _op, _v in _filters(plan)] == ["country"]
    plan = plan_query("saves of video and non-video pins yesterday", catalog, context)
    assert [d.column for d in plan.dimensions] == ["is_video"]


def test_the_top_after_a_singular_noun_is_one_answer(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("platform with the top ctr in October", catalog, context)
    assert (plan.limit, plan.order) == (1, "desc")
    plan = plan_query("the five pins clicked the most last week", catalog, context)
    assert (plan.limit, plan.order) == (5, "desc")
    assert [d.column for d in plan.dimensions][:1] == ["pin_id"]
