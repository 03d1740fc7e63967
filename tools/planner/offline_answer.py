"""Answer a question with the offline planner: plan -> SQL -> validator -> (run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.planner.pipeline import plan_sql
from tools.planner.sql_answer import SqlAnswer

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.planner.plan import PlannerContext
    from tools.sql.problems import ValidationReport
    from tools.warehouse.connection import Warehouse
    from tools.warehouse.execute import QueryResult


def answer_with_planner(
    question: str,
    catalog: Catalog,
    warehouse: Warehouse,
    context: PlannerContext,
    *,
    execute: bool = True,
    default_limit: int | None = 1000,
) -> SqlAnswer:
    """Raises PlanningError when the question cannot be mapped onto the catalog."""
    planned = plan_sql(question, catalog, context, dialect=warehouse.dialect)
    report, result = validate_and_run(
        planned.sql, catalog, warehouse, execute=execute, default_limit=default_limit
    )
    return to_answer(
        question,
        report,
        result,
        explanation=planned.explanation,
        source="planner",
        notes=planned.notes,
    )


def validate_and_run(
    sql: str, catalog: Catalog, warehouse: Warehouse, *, execute: bool, default_limit: int | None
) -> tuple[ValidationReport, QueryResult | None]:
    from tools.sql.validate import validate_sql
    from tools.warehouse.run import run_validated

    if execute:
        return run_validated(sql, catalog, warehouse, default_limit=default_limit)
    report = validate_sql(
        sql,
        catalog,
        dialect=warehouse.dialect,
        default_limit=default_limit,
        explain=warehouse.explain,
    )
    return report, None


def to_answer(
    question: str,
    report: ValidationReport,
    result: QueryResult | None,
    *,
    explanation: str,
    source: str,
    notes: list[str] | None = None,
    attempts: int = 1,
) -> SqlAnswer:
    answer = SqlAnswer(
        question=question,
        sql=report.sql,
        dialect=report.dialect,
        valid=report.valid,
        source=source,  # type: ignore[arg-type]
        explanation=explanation,
        errors=list(report.errors),
        warnings=list(report.warnings),
        notes=list(notes or []),
        attempts=attempts,
    )
    if result is not None:
        answer.columns = list(result.columns)
        answer.rows = [list(r) for r in result.rows]
        answer.row_count = result.row_count
        answer.executed = True
    return answer
