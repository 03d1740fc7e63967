"""The planner's one entry point: question -> plan -> SQL + explanation (still unvalidated)."""

from __future__ import annotations

from dataclasses import dataclass

from tools.catalog.model import Catalog
from tools.planner.build_sql import build_sql
from tools.planner.explain_plan import explain_plan
from tools.planner.plan import PlannerContext, plan_query
from tools.planner.plan_model import QueryPlan


@dataclass(frozen=True)
class PlannedSql:
    plan: QueryPlan
    sql: str
    explanation: str

    @property
    def notes(self) -> list[str]:
        """Every default and reading the planner chose (shown beside the answer)."""
        return list(self.plan.notes)


def plan_sql(
    question: str, catalog: Catalog, context: PlannerContext, *, dialect: str = "duckdb"
) -> PlannedSql:
    plan = plan_query(question, catalog, context)
    sql = build_sql(plan, catalog, dialect=dialect)
    return PlannedSql(plan, sql, explain_plan(plan, catalog))
