"""`run_validated`: the only way SQL from a planner, a model or a person reaches the warehouse."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tools.sql.problems import ValidationReport
from tools.sql.validate import validate_sql
from tools.warehouse.execute import QueryResult

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.warehouse.connection import Warehouse


def run_validated(
    sql: str,
    catalog: Catalog,
    warehouse: Warehouse,
    *,
    read_dialect: str | None = None,
    default_limit: int | None = 1000,
    explain: bool = True,
    execute: Callable[[str], QueryResult] | None = None,
) -> tuple[ValidationReport, QueryResult | None]:
    """Validate `sql` for the warehouse's dialect, then run the validated text.

    Returns `(report, None)` without touching the warehouse when the report is invalid; the
    statement that runs is always `report.sql`, never the caller's original text. `execute`
    (default `warehouse.execute`) lets a caller put a result cache in front of the engine; it
    only ever receives validated text.
    """
    report = validate_sql(
        sql,
        catalog,
        dialect=warehouse.dialect,
        read_dialect=read_dialect,
        default_limit=default_limit,
        explain=warehouse.explain if explain else None,
    )
    if not report.valid:
        return report, None
    return report, (execute or warehouse.execute)(report.sql)
