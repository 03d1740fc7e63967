"""Offline question -> SQL planner: no model, only the catalog and the question.

`plan_sql(question, catalog, context)` returns the plan, its SQL and a one-sentence
explanation, or raises `PlanningError` saying what it understood and what is missing.
"""

from tools.planner.pipeline import PlannedSql, plan_sql
from tools.planner.plan import PlannerContext, plan_query
from tools.planner.sql_answer import SqlAnswer

__all__ = ["PlannedSql", "PlannerContext", "SqlAnswer", "plan_query", "plan_sql"]
