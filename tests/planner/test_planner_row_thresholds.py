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
from tools.planner.pipeline import PlannedSql, plan_sql
from tools.planner.warehouse_context import planner_context
from tools.warehouse.connection import open_warehouse


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("row_thresholds")
    return {kind: init_workspace(kind, base / kind) for kind in ("shop", "ads")}


def _planned(root: Path, question: str) -> PlannedSql:
    ws = Workspace.open(root)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        return plan_sql(question, ws.catalog, planner_context(ws.catalog, wh))


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
        (  # "more than 1 order in june": June's orders, not customers who signed up in June
            "shop",
            "how many customers had more than 1 order in june",
            "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE CAST(ordered_at AS DATE) "
            "BETWEEN DATE '2026-06-01' AND DATE '2026-06-30' GROUP BY customer_id "
            "HAVING COUNT(*) > 1)",
        ),
        (  # what the note on several tables suggests: counted there, dated by the orders
            "shop",
            "how many products in order_items in june",
            "SELECT COUNT(DISTINCT i.product_id) FROM order_items i JOIN orders o "
            "ON i.order_id = o.order_id WHERE CAST(o.ordered_at AS DATE) "
            "BETWEEN DATE '2026-06-01' AND DATE '2026-06-30'",
        ),
    ],
)
def test_counting_those_with_more_than_n_rows(
    roots: dict[str, Path], kind: str, question: str, expected_sql: str
) -> None:
    got, expected = _rows(roots[kind], question, expected_sql)
    assert expected[0][0] > 0  # the data has some: the test can fail
    assert got == expected, question


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # the ones with none would count too, and only the rows that exist are read
        ("how many customers have fewer than 2 orders", "fewer than 2 orders"),
        # "no reviews": the ones with none; answered, every product was counted
        ("how many products have no reviews", "no reviews"),
        # "order value": no column is an order's value; answered, the orders were counted
        ("average order value by country in june", "order value"),
    ],
)
def test_words_the_plan_would_drop_are_refused(
    roots: dict[str, Path], question: str, said: str
) -> None:
    with pytest.raises(PlanningError) as info:
        _planned(roots["shop"], question)
    assert said in str(info.value)


@pytest.mark.parametrize(
    ("question", "counted_in", "said"),
    [
        # "sold" names no table: products counted in reviews say they are in order_items too
        ("how many products were sold in june", "reviews", "also appear in order_items"),
        # "bought" names no table: customers dated by their own date say where else they are
        ("how many customers bought something in june", "customers", "'customers in orders'"),
    ],
)
def test_entities_counted_where_no_word_chose_name_the_other_tables(
    roots: dict[str, Path], question: str, counted_in: str, said: str
) -> None:
    plan = _planned(roots["shop"], question).plan
    assert plan.base_table == counted_in
    assert said in " ".join(plan.notes), plan.notes
