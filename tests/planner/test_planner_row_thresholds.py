"""Thresholds on how many rows each one has: "how many customers have more than 3 orders".

On warehouses catalogued by `lablens init` alone (the shop and ads generators), each answer
is checked against a hand-written query. A threshold that would also have to count the ones
with no rows at all ("fewer than 2 orders") is refused rather than answered without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.workspace import Workspace
from tests.planner.warehouses import init_workspace
from tools.errors import PlanningError
from tools.planner.offline_answer import answer_with_planner
from tools.planner.pipeline import plan_sql
from tools.planner.warehouse_context import planner_context
from tools.warehouse.connection import open_warehouse


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("row_thresholds")
    return {kind: init_workspace(kind, base / kind) for kind in ("shop", "ads")}


def _rows(root: Path, question: str, expected_sql: str) -> tuple[list[tuple], list[tuple]]:  # type: ignore[type-arg]
    ws = Workspace.open(root)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        answer = answer_with_planner(question, ws.catalog, wh, planner_context(ws.catalog, wh))
        assert answer.valid and answer.executed, (question, answer.sql)
        expected = [tuple(r) for r in wh.execute(expected_sql).rows]
    return [tuple(r) for r in answer.rows], expected


@pytest.mark.parametrize(
    ("kind", "question", "expected_sql"),
    [
        (
            "shop",
            "how many customers have more than 3 orders",
            "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id "
            "HAVING COUNT(*) > 3)",
        ),
        (
            "shop",
            "how many premium customers have at least 2 orders",
            "SELECT COUNT(*) FROM (SELECT o.customer_id FROM orders o JOIN customers c "
            "ON o.customer_id = c.customer_id WHERE c.is_premium GROUP BY o.customer_id "
            "HAVING COUNT(*) >= 2)",
        ),
        (
            "ads",
            "how many advertisers have more than 5 campaigns",
            "SELECT COUNT(*) FROM (SELECT advertiser_id FROM campaigns GROUP BY advertiser_id "
            "HAVING COUNT(*) > 5)",
        ),
    ],
)
def test_counting_those_with_more_than_n_rows(
    roots: dict[str, Path], kind: str, question: str, expected_sql: str
) -> None:
    got, expected = _rows(roots[kind], question, expected_sql)
    assert expected[0][0] > 0  # the data has some: the test can fail
    assert got == expected, question


def test_the_period_is_on_the_rows_counted(roots: dict[str, Path]) -> None:
    # "more than 1 order in june": June's orders, not customers who signed up in June.
    got, expected = _rows(
        roots["shop"],
        "how many customers had more than 1 order in june",
        "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE CAST(ordered_at AS DATE) "
        "BETWEEN DATE '2026-06-01' AND DATE '2026-06-30' GROUP BY customer_id "
        "HAVING COUNT(*) > 1)",
    )
    assert got == expected


def test_fewer_than_n_rows_is_refused(roots: dict[str, Path]) -> None:
    ws = Workspace.open(roots["shop"])
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        ctx = planner_context(ws.catalog, wh)
        with pytest.raises(PlanningError) as info:
            plan_sql("how many customers have fewer than 2 orders", ws.catalog, ctx)
    assert "fewer than 2 orders" in str(info.value)
    assert "none" in str(info.value)


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # "no reviews": the ones with none; answered, every product was counted
        ("how many products have no reviews", "no reviews"),
        # "order value": no column is an order's value; answered, the orders were counted
        ("average order value by country in june", "order value"),
    ],
)
def test_words_the_plan_would_drop_are_refused(
    roots: dict[str, Path], question: str, said: str
) -> None:
    ws = Workspace.open(roots["shop"])
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        ctx = planner_context(ws.catalog, wh)
        with pytest.raises(PlanningError) as info:
            plan_sql(question, ws.catalog, ctx)
    assert said in str(info.value)


def test_counting_entities_in_one_of_several_tables_names_the_others(
    roots: dict[str, Path],
) -> None:
    # "sold" names no table: products counted in reviews must say they are also in order_items.
    ws = Workspace.open(roots["shop"])
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        planned = plan_sql(
            "how many products were sold in june", ws.catalog, planner_context(ws.catalog, wh)
        )
    counted_in = planned.plan.base_table
    notes = " ".join(planned.plan.notes)
    assert f"appear in {counted_in}" in notes and "order_items" in notes, planned.plan.notes


def test_naming_the_table_to_count_in_is_followed(roots: dict[str, Path]) -> None:
    # What the note above suggests must work: counted in order_items, dated by the orders.
    got, expected = _rows(
        roots["shop"],
        "how many products in order_items in june",
        "SELECT COUNT(DISTINCT i.product_id) FROM order_items i JOIN orders o "
        "ON i.order_id = o.order_id WHERE CAST(o.ordered_at AS DATE) "
        "BETWEEN DATE '2026-06-01' AND DATE '2026-06-30'",
    )
    assert got == expected


def test_entities_dated_by_their_own_date_name_where_else_they_appear(
    roots: dict[str, Path],
) -> None:
    # "bought" names no table: customers dated by their own date must say where else they are.
    ws = Workspace.open(roots["shop"])
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        ctx = planner_context(ws.catalog, wh)
        planned = plan_sql("how many customers bought something in june", ws.catalog, ctx)
    assert planned.plan.base_table == "customers"
    notes = " ".join(planned.plan.notes)
    assert "customers' own date" in notes and "'customers in orders'" in notes, notes
