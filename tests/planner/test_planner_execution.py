"""Planned SQL runs through the validator on a real DuckDB demo warehouse and computes the
metric as defined (checked against an independent computation in Python)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from agent.workspace import Workspace
from tools.planner.offline_answer import answer_with_planner
from tools.planner.warehouse_context import planner_context


@pytest.fixture
def ws(small_demo_workspace: Path) -> Workspace:
    return Workspace.open(small_demo_workspace)


def _rows(warehouse, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    return [tuple(r) for r in warehouse.execute(sql).rows]


def test_relative_dates_anchor_on_the_last_day_of_data(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    ctx = planner_context(ws.catalog, warehouse)
    assert str(ctx.data_end) == "2026-10-31" and str(ctx.today) == "2026-11-01"


def test_ratio_by_group_is_sum_over_sum_not_mean_of_ratios(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    ctx = planner_context(ws.catalog, warehouse)
    answer = answer_with_planner("save rate by surface in October", ws.catalog, warehouse, ctx)
    assert answer.valid and answer.executed and answer.source == "planner"
    # Daily sums per surface (few rows, under the row cap); the ratio is computed here.
    raw = _rows(
        warehouse,
        "SELECT surface, SUM(saves), SUM(impressions) FROM engagement_daily "
        "WHERE dt BETWEEN DATE '2026-10-01' AND DATE '2026-10-31' "
        "GROUP BY surface, dt",
    )
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for surface, saves, impressions in raw:
        sums[surface][0] += saves
        sums[surface][1] += impressions
    got = {row[0]: row[1] for row in answer.rows}
    for surface, (s, i) in sums.items():
        assert got[surface] == pytest.approx(s / i)


def test_mean_metric_per_group_is_per_unit(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    ctx = planner_context(ws.catalog, warehouse)
    answer = answer_with_planner("saves per user by platform last week", ws.catalog, warehouse, ctx)
    raw = _rows(
        warehouse,
        "SELECT u.platform, e.user_id, SUM(e.saves) FROM engagement_daily e "
        "JOIN users u ON e.user_id = u.user_id "
        "WHERE e.dt BETWEEN DATE '2026-10-25' AND DATE '2026-10-31' "
        "GROUP BY u.platform, e.user_id",
    )
    per_user: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for platform, user, saves in raw:
        per_user[platform][user] += saves
    got = {row[0]: row[1] for row in answer.rows}
    for platform, users in per_user.items():
        assert got[platform] == pytest.approx(sum(users.values()) / len(users))


def test_answer_without_execution_is_validated_but_not_run(ws: Workspace, warehouse) -> None:  # type: ignore[no-untyped-def]
    ctx = planner_context(ws.catalog, warehouse)
    answer = answer_with_planner(
        "daily saves for the last 14 days", ws.catalog, warehouse, ctx, execute=False
    )
    assert answer.valid and not answer.executed and answer.rows == []
    assert "LIMIT 1000" in answer.sql  # the validator's text, not the planner's
