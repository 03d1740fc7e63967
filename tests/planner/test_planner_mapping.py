"""How questions map onto the catalog: values, comparisons, groups, joins, ranking, trends."""

from __future__ import annotations

import pytest

from tools.planner import plan_query, plan_sql
from tools.planner.plan_model import ColumnRef


def test_value_synonyms_match_in_any_case(catalog, context) -> None:  # type: ignore[no-untyped-def]
    for q in (
        "how many users are in Japan",
        "how many users are in JAPAN",
        "how many users are in japan",
    ):
        plan = plan_query(q, catalog, context)
        assert [(f.column.column, f.values) for f in plan.filters] == [("country", ("JP",))]


def test_a_short_value_that_is_an_english_word_needs_its_own_case(catalog, context) -> None:  # type: ignore[no-untyped-def]
    lower = plan_query("how many users signed up in October", catalog, context)
    assert not lower.filters  # "in" is a preposition here, not India
    upper = plan_query("how many users from IN", catalog, context)
    assert [f.values for f in upper.filters] == [("IN",)]


def test_several_values_of_one_column_become_in(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("number of users in Germany or France", catalog, context)
    assert [(f.op, f.values) for f in plan.filters] == [("in", ("DE", "FR"))]


def test_negated_value_becomes_not_equal(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("total saves excluding search yesterday", catalog, context)
    assert [(f.column.column, f.op, f.values) for f in plan.filters] == [
        ("surface", "!=", ("search",))
    ]


def test_numeric_comparison_attaches_to_its_column(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("How many pins have a quality score above 0.9?", catalog, context)
    assert [(f.column.column, f.op, f.values) for f in plan.filters] == [
        ("quality_score", ">", (0.9,))
    ]


def test_units_with_a_total_above_a_threshold_use_having(catalog, context) -> None:  # type: ignore[no-untyped-def]
    planned = plan_sql("number of users with more than 20 saves yesterday", catalog, context)
    assert planned.plan.having and not any(f.column.column == "saves" for f in planned.plan.filters)
    assert "HAVING" in planned.sql and "SUM(saves) > 20" in planned.sql


def test_saves_by_pin_category_joins_pins(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("saves by pin category yesterday", catalog, context)
    assert plan.base_table == "pin_engagement_daily"
    assert [j.table for j in plan.joins] == ["pins"]
    assert plan.dimensions == [ColumnRef("pins", "category")]


def test_user_attribute_filter_joins_along_the_join_key(catalog, context) -> None:  # type: ignore[no-untyped-def]
    planned = plan_sql("saves from UK users on search in the last 7 days", catalog, context)
    assert planned.plan.base_table == "engagement_daily"
    assert "JOIN users ON engagement_daily.user_id = users.user_id" in " ".join(planned.sql.split())


def test_ratio_metric_is_sum_over_sum(catalog, context) -> None:  # type: ignore[no-untyped-def]
    sql = " ".join(plan_sql("save rate by surface in October", catalog, context).sql.split())
    assert "SUM(saves) AS DOUBLE) / NULLIF(SUM(impressions), 0)" in sql
    assert "AVG(" not in sql


def test_mean_metric_per_group_divides_by_distinct_units(catalog, context) -> None:  # type: ignore[no-untyped-def]
    sql = " ".join(plan_sql("saves per user by country last week", catalog, context).sql.split())
    assert (
        "SUM(engagement_daily.saves) AS DOUBLE) / COUNT(DISTINCT engagement_daily.user_id)"
    ) in sql


def test_top_k_orders_and_limits(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("top 5 countries by saves over the last 30 days", catalog, context)
    assert (plan.order, plan.limit) == ("desc", 5)
    plan = plan_query("bottom 3 surfaces by ctr in October", catalog, context)
    assert (plan.order, plan.limit) == ("asc", 3)
    plan = plan_query("which surface had the highest hide rate last week", catalog, context)
    assert (plan.order, plan.limit) == ("desc", 1)


@pytest.mark.parametrize(
    ("question", "limit"),
    [
        # "which countries" asks for several: a top 1 would hide the rest
        ("which countries have the most creators", 10),
        ("which surfaces had the highest hide rate last week", 10),
        ("which country has the most creators", 1),
        ("which two countries have the most creators", 2),
    ],
)
def test_which_with_a_plural_group_word_ranks_several(catalog, context, question, limit) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query(question, catalog, context)
    assert (plan.order, plan.limit) == ("desc", limit)
    said = [n for n in plan.notes if "asks for several" in n]
    assert bool(said) == (limit == 10), plan.notes


def test_superlative_without_groups_is_an_aggregate(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("lowest quality score for recipes pins", catalog, context)
    assert (plan.measure.agg, plan.order) == ("MIN", None)


def test_weekly_trend_truncates_the_time_column(catalog, context) -> None:  # type: ignore[no-untyped-def]
    planned = plan_sql("weekly impressions in September", catalog, context)
    assert planned.plan.grain == "week"
    assert "DATE_TRUNC('WEEK', dt)" in planned.sql


def test_active_users_count_distinct_units_in_the_activity_table(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("daily active users over the last 7 days", catalog, context)
    assert plan.base_table == "engagement_daily" and plan.grain == "day"
    assert plan.measure.kind == "count_distinct" and plan.measure.column == ColumnRef(
        "engagement_daily", "user_id"
    )


def test_sampled_values_resolve_identifiers(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how many users are in each variant of hf_l1_ranker_v2", catalog, context)
    assert plan.base_table == "experiment_assignments"
    assert [f.values for f in plan.filters] == [("hf_l1_ranker_v2",)]


def test_explanation_is_one_sentence_naming_the_pieces(catalog, context) -> None:  # type: ignore[no-untyped-def]
    text = plan_sql(
        "hide rate for android users on homefeed in the past week", catalog, context
    ).explanation
    assert text.startswith("Computes hide_rate") and text.count(". ") == 0
    for piece in ("android", "homefeed", "2026-10-25", "2026-10-31", "users"):
        assert piece in text


def test_sql_is_written_in_the_requested_dialect(catalog, context) -> None:  # type: ignore[no-untyped-def]
    sql = plan_sql("median time spent yesterday", catalog, context, dialect="postgres").sql
    assert "PERCENTILE_CONT(0.5)" in sql


def test_list_and_which_return_rows_not_counts(catalog, context) -> None:  # type: ignore[no-untyped-def]
    planned = plan_sql("which experiments are running on homefeed", catalog, context)
    assert planned.plan.measure.kind == "list"
    assert "COUNT" not in planned.sql and "status = 'running'" in planned.sql
    assert planned.explanation.startswith("Lists the rows")


def test_values_contrasted_with_vs_are_compared_side_by_side(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("ctr on search vs homefeed yesterday", catalog, context)
    assert plan.dimensions == [ColumnRef("engagement_daily", "surface")]
    assert [(f.op, f.values) for f in plan.filters] == [("in", ("search", "homefeed"))]


def test_multiword_column_names_win_over_cue_words(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("average saves_28d by top category yesterday", catalog, context)
    assert plan.dimensions == [ColumnRef("user_features_daily", "top_category")]
    assert plan.limit is None and plan.measure.column == ColumnRef(
        "user_features_daily", "saves_28d"
    )


def test_a_month_with_a_year_is_not_read_as_a_day(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("users who signed up before September 2026", catalog, context)
    assert (plan.start, str(plan.end)) == (None, "2026-08-31")


def test_average_daily_total_is_a_mean_of_daily_sums(catalog, context) -> None:  # type: ignore[no-untyped-def]
    planned = plan_sql("average impressions per day in October", catalog, context)
    sql = " ".join(planned.sql.split())
    assert "AVG(total_impressions)" in sql and "SUM(impressions) AS total_impressions" in sql
    assert "GROUP BY dt" in sql and planned.explanation.startswith("Computes the average per day")


def test_average_count_per_group_is_a_mean_over_groups(catalog, context) -> None:  # type: ignore[no-untyped-def]
    planned = plan_sql("how many pins does each creator have on average", catalog, context)
    assert planned.plan.rollup == "AVG" and planned.plan.rollup_keep == []
    assert "AVG(pins_count)" in planned.sql


def test_a_join_that_repeats_rows_is_refused_for_sums(catalog, context) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from tools.errors import PlanningError

    with pytest.raises(PlanningError, match="count rows several times"):
        plan_query("save rate for video pins", catalog, context)


def test_a_table_the_answer_cannot_use_is_named_in_the_notes(catalog, context) -> None:  # type: ignore[no-untyped-def]
    # "in experiments" restricts to something no join along the catalog's keys gives here:
    # the total is over every row, and the notes say that the words were not applied.
    plan = plan_query("total saves by surface in experiments", catalog, context)
    assert any("'in experiments'" in n and "not applied" in n for n in plan.notes), plan.notes
    plan = plan_query("how many users hid a pin last week", catalog, context)
    assert not any("not applied" in n for n in plan.notes), plan.notes


def test_an_average_of_per_entity_counts_says_who_it_leaves_out(catalog, context) -> None:  # type: ignore[no-untyped-def]
    # Creators with no pin are not in pins: the average is over those with at least one.
    plan = plan_query("pins per creator on average", catalog, context)
    assert plan.rollup == "AVG"
    assert any("at least one" in n and "left out" in n for n in plan.notes), plan.notes


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # 2026-10-01 is a Thursday: the first weekly bucket holds 4 of its 7 days
        ("weekly saves in october", "2026-09-28 (4 of its 7 days)"),
        # six weeks back from Saturday 2026-10-31 start on a Sunday: 1 day of that week
        ("weekly saves over the last 6 weeks", "2026-09-14 (1 of its 7 days)"),
        # Q3 begins two months before the data: July and August are not zeros, just absent
        ("monthly saves in q3", "data starts 2026-09-01"),
    ],
)
def test_a_trend_names_its_partial_first_and_last_buckets(catalog, context, question, said) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query(question, catalog, context)
    assert any(said in n for n in plan.notes), plan.notes


def test_whole_buckets_get_no_partial_note(catalog, context) -> None:  # type: ignore[no-untyped-def]
    for question in ("daily saves last week", "monthly saves between september 1 and october 31"):
        plan = plan_query(question, catalog, context)
        assert not any("partial" in n for n in plan.notes), (question, plan.notes)
