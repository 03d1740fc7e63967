"""Never a different question: readings are stated, defaults are in `notes`, and a question
about an experiment's arms goes through the experiment, not a plain join."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner import PlannerContext, plan_query, plan_sql


def test_top_k_over_a_word_that_is_also_a_flag_ranks_the_entities(
    catalog: Catalog, context: PlannerContext
) -> None:
    plan = plan_query("which creators got the most saves last month? top 5", catalog, context)
    assert [d.column for d in plan.dimensions] == ["creator_id"]
    assert plan.limit == 5 and plan.order == "desc"
    assert any("is_creator" in n and "creator_id" in n for n in plan.notes)


def test_a_relative_period_anchored_on_the_data_says_so_with_its_dates(
    catalog: Catalog, context: PlannerContext
) -> None:
    anchored = replace(context, calendar_today=date(2026, 12, 1))
    notes = plan_query("total saves last week", catalog, anchored).notes
    assert any(
        "2026-10-25 to 2026-10-31" in n and "2026-10-31" in n and "2026-12-01" in n for n in notes
    ), notes


def test_the_default_aggregation_is_a_note(catalog: Catalog, context: PlannerContext) -> None:
    notes = plan_query("saves yesterday", catalog, context).notes
    assert any("No aggregation named" in n and "summed" in n for n in notes)


def test_a_join_path_is_a_note(catalog: Catalog, context: PlannerContext) -> None:
    notes = plan_query("saves from users in Japan yesterday", catalog, context).notes
    assert any(n.startswith("Join path") for n in notes)


def test_a_measure_split_by_experiment_arms_points_to_experiment_summarize(
    catalog: Catalog, context: PlannerContext
) -> None:
    with pytest.raises(PlanningError) as info:
        plan_query("saves per user by variant in hf_l1_ranker_v2", catalog, context)
    assert "lablens experiment summarize hf_l1_ranker_v2" in (info.value.hint or "")


def test_counting_units_per_arm_still_works(catalog: Catalog, context: PlannerContext) -> None:
    planned = plan_sql("how many users are in each variant of hf_l1_ranker_v2", catalog, context)
    assert "COUNT(DISTINCT" in planned.sql and "variant" in planned.sql


def test_several_measures_in_one_question(catalog: Catalog, context: PlannerContext) -> None:
    sql = plan_sql("clicks and hides on search yesterday", catalog, context).sql
    assert "SUM(clicks)" in sql and "SUM(hides)" in sql


def test_a_share_word_without_a_flag_or_value_is_refused(
    catalog: Catalog, context: PlannerContext
) -> None:
    with pytest.raises(PlanningError, match="share"):
        plan_query("share of pins by category", catalog, context)


def test_an_attribute_of_one_named_row_is_looked_up_not_counted(
    catalog: Catalog, context: PlannerContext
) -> None:
    planned = plan_sql("when did hf_l1_ranker_v2 start", catalog, context)
    assert planned.plan.measure.kind == "lookup"
    assert "start_date" in planned.sql and "COUNT" not in planned.sql


def test_a_breakdown_of_a_named_row_is_not_a_lookup(
    catalog: Catalog, context: PlannerContext
) -> None:
    plan = plan_query("assignments of hf_l1_ranker_v2 by user country", catalog, context)
    assert plan.measure.kind != "lookup" and [d.column for d in plan.dimensions] == ["country"]
