"""Shorthand, slips and readings that used to answer another question: spelled-out counts,
analyst abbreviations, one-letter typos (always noted), 'what is the X of <rows>', 'by <flag
holders>', and averages over rows versus over entities (always said)."""

from __future__ import annotations

import pytest

from tools.errors import PlanningError
from tools.planner import plan_query


def test_a_spelled_out_count_is_the_limit(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("the five countries with the most users", catalog, context)
    assert (plan.limit, plan.order) == (5, "desc")
    plan = plan_query("four platforms with the fewest users", catalog, context)
    assert (plan.limit, plan.order) == (4, "asc")


def test_shorthand_grains_windows_and_prefixes(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("hides day-by-day in October", catalog, context)
    assert plan.grain == "day"
    plan = plan_query("ten-day total of clicks", catalog, context)
    assert (str(plan.start), str(plan.end)) == ("2026-10-22", "2026-10-31")
    plan = plan_query("per-platform clicks in October", catalog, context)
    assert [d.column for d in plan.dimensions] == ["platform"]
    plan = plan_query("WAU in October", catalog, context)
    assert plan.grain == "week" and plan.measure.kind == "count_distinct"


def test_a_one_letter_slip_is_read_and_said(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("totl clikcs yesterday", catalog, context)
    assert (plan.measure.agg, plan.measure.column and plan.measure.column.column) == (
        "SUM",
        "clicks",
    )
    assert "Read 'clikcs' as 'clicks' (the closest known word)." in plan.notes
    assert "Read 'totl' as 'total' (the closest known word)." in plan.notes


def test_a_word_far_from_every_name_is_still_refused(catalog, context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanningError, match="not 'zqxv'"):
        plan_query("clicks by zqxv yesterday", catalog, context)


def test_what_is_the_x_of_rows_does_not_group_by_them(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("what is the average of the quality score of pins", catalog, context)
    assert plan.dimensions == [] and plan.measure.agg == "AVG"
    plan = plan_query("which platform has the most users", catalog, context)
    assert [d.column for d in plan.dimensions] == ["platform"] and plan.limit == 1


def test_by_flag_holders_filters_to_them_and_says_so(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("impressions by creators in October", catalog, context)
    assert plan.dimensions == []
    assert [(f.column.column, f.values) for f in plan.filters if f.op == "="] == [
        ("is_creator", (True,))
    ]
    assert any(n.startswith("Read 'by creators' as only creators") for n in plan.notes)


def test_an_average_over_fact_rows_says_what_was_averaged(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("average impressions yesterday", catalog, context)
    assert plan.measure.agg == "AVG"
    assert any("over the rows of" in n and "not over entities" in n for n in plan.notes)
    # An entity table's rows are its entities: nothing to say.
    plan = plan_query("average quality score", catalog, context)
    assert not any("over the rows of" in n for n in plan.notes)


def test_each_unit_on_average_is_the_metric_not_a_group(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query(
        "on average how many active days did each user have in October", catalog, context
    )
    assert plan.measure.kind == "metric" and plan.dimensions == []
    assert any("already a mean over each user" in n for n in plan.notes)


def test_average_measure_per_entity_is_the_mean_of_their_totals(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("average clicks per pin in October", catalog, context)
    assert plan.rollup == "AVG" and plan.measure.agg == "SUM"
    assert any("the average of each pin's total clicks" in n for n in plan.notes)
    plan = plan_query("average saves per creator in October", catalog, context)
    assert plan.rollup == "AVG" and plan.dimensions[0].column == "creator_id"
    assert any("the flag users.is_creator" in n for n in plan.notes)


@pytest.mark.parametrize(
    ("words", "start", "end"),
    [
        ("last quarter", "2026-07-01", "2026-09-30"),
        ("3 days ago", "2026-10-29", "2026-10-29"),
        ("the day before yesterday", "2026-10-30", "2026-10-30"),
        ("month to date", "2026-11-01", "2026-11-01"),
    ],
)
def test_more_relative_dates_are_read_and_said(catalog, context, words, start, end) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query(f"total clicks {words}", catalog, context)
    assert (str(plan.start), str(plan.end)) == (start, end)
    assert any(n.startswith(f"'{words}' read as") for n in plan.notes), plan.notes


def test_n_plus_is_at_least_n(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("engagement rows with 50+ clicks yesterday", catalog, context)
    assert [(f.column.column, f.op, f.values) for f in plan.filters if f.op == ">="] == [
        ("clicks", ">=", (50.0,))
    ]


def test_which_x_had_the_top_measure_is_one_answer(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("which platform had the top ctr in October", catalog, context)
    assert (plan.limit, plan.order) == (1, "desc")
    plan = plan_query("which are the top pins by clicks in October", catalog, context)
    assert plan.limit == 10


def test_by_rows_with_a_qualifier_counts_them_and_says_so(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("total clicks by users in Japan in October", catalog, context)
    assert plan.dimensions == []
    assert any(n.startswith("Read 'by users ...' as whose rows to count") for n in plan.notes)


def test_everyday_phrasings_with_one_reading(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how large is the pins table", catalog, context)
    assert plan.measure.kind == "count_rows" and plan.base_table == "pins"
    plan = plan_query("how high is the quality score of video pins on average", catalog, context)
    assert plan.measure.agg == "AVG" and plan.measure.column.column == "quality_score"  # type: ignore[union-attr]
    plan = plan_query("the middle value of time spent in October", catalog, context)
    assert plan.measure.agg == "MEDIAN"
    plan = plan_query("users based in Brazil", catalog, context)
    assert [(f.column.column, f.values) for f in plan.filters] == [("country", ("BR",))]
    plan = plan_query("hides during the month of September", catalog, context)
    assert (str(plan.start), str(plan.end)) == ("2026-09-01", "2026-09-30")
    plan = plan_query("pins whose quality score exceeds 0.8", catalog, context)
    assert [(f.op, f.values) for f in plan.filters] == [(">", (0.8,))]


def test_best_and_worst_follow_the_metrics_direction(catalog, context) -> None:  # type: ignore[no-untyped-def]
    # hide_rate is lower-is-better in the catalog: its worst value is the highest.
    plan = plan_query("the platform with the worst hide rate in October", catalog, context)
    assert (plan.order, plan.limit) == ("desc", 1)
    assert any("lower is better" in n for n in plan.notes)
    plan = plan_query("the platform with the best hide rate in October", catalog, context)
    assert plan.order == "asc"
    # ctr is higher-is-better: 'worst' stays the lowest, with nothing to say.
    plan = plan_query("the platform with the worst ctr in October", catalog, context)
    assert plan.order == "asc" and not any("lower is better" in n for n in plan.notes)


def test_how_many_before_a_plural_column_counts_its_values(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("how many categories are the pins in", catalog, context)
    assert plan.measure.kind == "count_distinct" and not plan.dimensions
    assert plan.measure.column is not None and plan.measure.column.column == "category"
    # A table after the count word is still counted as rows of it.
    plan = plan_query("how many pins per category", catalog, context)
    assert plan.measure.kind == "count_rows" and [d.column for d in plan.dimensions] == ["category"]


def test_ordinal_days_ranges_without_from_and_hyphenated_superlatives(catalog, context) -> None:  # type: ignore[no-untyped-def]
    plan = plan_query("hides from the 3rd to the 9th of September", catalog, context)
    assert (str(plan.start), str(plan.end)) == ("2026-09-03", "2026-09-09")
    plan = plan_query("closeups on the 12th of October", catalog, context)
    assert (str(plan.start), str(plan.end)) == ("2026-10-12", "2026-10-12")
    plan = plan_query("saves for Oct 3 thru Oct 6", catalog, context)
    assert (str(plan.start), str(plan.end)) == ("2026-10-03", "2026-10-06")
    plan = plan_query("the 3 most-clicked pins yesterday", catalog, context)
    assert (plan.limit, plan.order) == (3, "desc")


def test_flag_versus_not_is_one_row_per_flag_value(catalog, context) -> None:  # type: ignore[no-untyped-def]
    for q in ("impressions of pins in October, video versus not", "pin saves by video or not"):
        plan = plan_query(q, catalog, context)
        assert [d.column for d in plan.dimensions] == ["is_video"], q
        assert not any(f.column.column == "is_video" for f in plan.filters), q


def test_based_reads_as_the_place_unless_the_catalog_names_it() -> None:
    from tools.planner.shorthand import expand_shorthand

    assert expand_shorthand("pins of US-based creators", lambda w: False) == "pins of US creators"
    kept = expand_shorthand("web-based campaigns", lambda w: w.lower() == "web-based")
    assert kept == "web-based campaigns"
