"""Counting people through a join: "how many users … saved a pin" counts each user once.

A daily table holds many rows per user, so joining it to `users` repeats every user once per
active day. Each question runs through the planner and the validator on a real DuckDB demo
warehouse and is checked against a hand-written query.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.workspace import Workspace
from tools.planner.join_path import fans_out
from tools.planner.offline_answer import answer_with_planner
from tools.planner.plan_model import ColumnRef, JoinStep
from tools.planner.warehouse_context import planner_context

LAST_WEEK = "e.dt BETWEEN DATE '2026-10-25' AND DATE '2026-10-31'"
OCTOBER = "e.dt BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"


@pytest.fixture
def ws(small_demo_workspace: Path) -> Workspace:
    return Workspace.open(small_demo_workspace)


def _answer(ws: Workspace, warehouse, question: str):  # type: ignore[no-untyped-def]
    answer = answer_with_planner(
        question, ws.catalog, warehouse, planner_context(ws.catalog, warehouse)
    )
    assert answer.valid and answer.executed, (question, answer.sql)
    return answer


def _answers_the_count(ws: Workspace, warehouse, question: str, expected_sql: str) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, question)
    expected = warehouse.execute(expected_sql).rows[0][0]
    assert [tuple(r) for r in answer.rows] == [(expected,)], answer.sql


def _by_country(warehouse, where: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = warehouse.execute(
        "SELECT u.country, COUNT(DISTINCT e.user_id) FROM engagement_daily e "
        f"JOIN users u ON e.user_id = u.user_id WHERE {where} GROUP BY u.country"
    ).rows
    return {r[0]: r[1] for r in rows}


def test_a_daily_table_repeats_users_so_joining_it_fans_out(ws: Workspace) -> None:
    to_daily = JoinStep(
        "engagement_daily", ColumnRef("users", "user_id"), ColumnRef("engagement_daily", "user_id")
    )
    to_users = JoinStep(
        "users", ColumnRef("engagement_daily", "user_id"), ColumnRef("users", "user_id")
    )
    assert fans_out(ws.catalog, to_daily)
    assert not fans_out(ws.catalog, to_users)


@pytest.mark.parametrize(
    ("question", "where"),
    [
        (  # a filter on each table
            "how many users on ios saved a pin last week",
            f"u.platform = 'ios' AND e.saves > 0 AND {LAST_WEEK}",
        ),
        (  # the holders of a flag, counted, not what they did
            "how many creators hid a pin in october",
            f"u.is_creator AND e.hides > 0 AND {OCTOBER}",
        ),
        (  # a value of the people's table right before its name qualifies them
            "how many android users hid a pin on search yesterday?",
            "u.platform = 'android' AND e.surface = 'search' AND e.hides > 0 "
            "AND e.dt = DATE '2026-10-31'",
        ),
        (
            "how many ios users saved a pin last week",
            f"u.platform = 'ios' AND e.saves > 0 AND {LAST_WEEK}",
        ),
        (  # 'active' says nothing more than that they saved one
            "how many active android users saved a pin yesterday",
            "u.platform = 'android' AND e.saves > 0 AND e.dt = DATE '2026-10-31'",
        ),
        (  # a value before the holders of a flag
            "how many android creators hid a pin in october",
            f"u.platform = 'android' AND u.is_creator AND e.hides > 0 AND {OCTOBER}",
        ),
    ],
)
def test_people_who_did_something_are_counted_once(
    ws: Workspace, warehouse, question: str, where: str
) -> None:  # type: ignore[no-untyped-def]
    sql = f"SELECT COUNT(DISTINCT e.user_id) {_JOINED} {where}"
    _answers_the_count(ws, warehouse, question, sql)


_JOINED = "FROM engagement_daily e JOIN users u ON e.user_id = u.user_id WHERE"


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("how many users on ios hid more than 3 pins last week", "u.platform = 'ios'"),
        ("how many ios users hid more than 3 pins last week", "u.platform = 'ios'"),
        ("how many creators hid more than 3 pins last week", "u.is_creator"),
    ],
)
def test_a_threshold_on_what_people_did_is_on_each_ones_total(
    ws: Workspace, warehouse, question: str, where: str
) -> None:  # type: ignore[no-untyped-def]
    # "hid more than 3 pins last week": more than 3 in the week, not on one day of it.
    per_user = f"SELECT e.user_id {_JOINED} {where} AND {LAST_WEEK} GROUP BY e.user_id"
    _answers_the_count(
        ws, warehouse, question, f"SELECT COUNT(*) FROM ({per_user} HAVING SUM(e.hides) > 3)"
    )


def test_users_by_country_are_counted_once_per_country(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, "how many users hid a pin last week by country")
    assert {r[0]: r[1] for r in answer.rows} == _by_country(
        warehouse, f"e.hides > 0 AND {LAST_WEEK}"
    )


@pytest.mark.parametrize(
    "question",
    [
        "top 5 countries by users who hid a pin last week",
        "top 5 countries by number of users who hid a pin last week",
    ],
)
def test_ranking_countries_by_users_who_did_something(
    ws: Workspace, warehouse, question: str
) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, question)
    expected = _by_country(warehouse, f"e.hides > 0 AND {LAST_WEEK}")
    top = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert [(r[0], r[1]) for r in answer.rows] == top, answer.sql


def test_the_most_users_ranks_countries_by_their_users(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, "countries with the most users who saved a pin in october")
    expected = _by_country(warehouse, f"e.saves > 0 AND {OCTOBER}")
    best = max(expected.items(), key=lambda kv: (kv[1], kv[0]))
    assert (answer.rows[0][0], answer.rows[0][1]) == best, answer.sql
    assert all(len(r) == 2 for r in answer.rows), answer.sql


def test_assigned_users_by_country_are_counted_once(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, "how many users were assigned to hf_l1_ranker_v2 by country")
    rows = warehouse.execute(
        "SELECT u.country, COUNT(DISTINCT a.user_id) FROM experiment_assignments a "
        "JOIN users u ON a.user_id = u.user_id WHERE a.experiment_id = 'hf_l1_ranker_v2' "
        "GROUP BY u.country"
    ).rows
    assert {r[0]: r[1] for r in answer.rows} == {r[0]: r[1] for r in rows}


def test_a_ranking_by_a_table_plural_counts_its_rows(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, "top 3 countries by users")
    rows = warehouse.execute(
        "SELECT country, COUNT(*) AS n FROM users GROUP BY country ORDER BY n DESC, country LIMIT 3"
    ).rows
    assert [tuple(r) for r in answer.rows] == [tuple(r) for r in rows], answer.sql


def test_a_ranking_by_a_flags_holders_counts_them(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    # "creators" is the users' flag here, not the pins' creator column: no join to pins.
    answer = _answer(ws, warehouse, "top 3 platforms by creators who saved a pin last week")
    rows = warehouse.execute(
        "SELECT u.platform, COUNT(DISTINCT e.user_id) AS n FROM engagement_daily e "
        f"JOIN users u ON e.user_id = u.user_id WHERE u.is_creator AND e.saves > 0 AND {LAST_WEEK} "
        "GROUP BY u.platform ORDER BY n DESC, u.platform LIMIT 3"
    ).rows
    assert [tuple(r) for r in answer.rows] == [tuple(r) for r in rows], answer.sql


@pytest.mark.parametrize(
    "question",
    [
        # A threshold on how many rows of a table each one has ("more than 3 pins"): it
        # used to vanish from the SQL, and every creator of a pin was counted.
        "how many creators published more than 3 pins in october",
        "how many users published more than 3 pins in october",
    ],
)
def test_a_threshold_on_how_many_rows_each_one_has(ws: Workspace, warehouse, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, question)
    expected = warehouse.execute(
        "SELECT COUNT(*) FROM (SELECT creator_id FROM pins WHERE created_date BETWEEN "
        "DATE '2026-10-01' AND DATE '2026-10-31' GROUP BY creator_id HAVING COUNT(*) > 3)"
    ).rows[0][0]
    assert [tuple(r) for r in answer.rows] == [(expected,)], answer.sql


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # Nothing to count or compare "days" with: refused, never dropped from the SQL.
        ("how many users were active on at least 5 days last week", "at least 5 days"),
        # "no saves" used to count the users WITH saves, "without saves" to sum them
        ("how many users had no saves last week", "no saves"),
        ("users without saves yesterday", "without saves"),
    ],
)
def test_a_threshold_the_planner_cannot_place_is_refused_not_dropped(
    ws: Workspace, warehouse, question: str, said: str
) -> None:  # type: ignore[no-untyped-def]
    from tools.errors import PlanningError
    from tools.planner.pipeline import plan_sql

    with pytest.raises(PlanningError) as info:
        plan_sql(question, ws.catalog, planner_context(ws.catalog, warehouse))
    assert said in str(info.value), str(info.value)


def test_users_with_more_than_n_pins_are_counted_through_the_pins_creator(
    ws: Workspace, warehouse
) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(ws, warehouse, "how many users created more than 3 pins")
    expected = warehouse.execute(
        "SELECT COUNT(*) FROM (SELECT creator_id FROM pins GROUP BY creator_id HAVING COUNT(*) > 3)"
    ).rows[0][0]
    assert expected > 0 and [tuple(r) for r in answer.rows] == [(expected,)], answer.sql
