"""Running experiment SQL: through the validator (`run_validated`), rows back as dicts.

The statistics SQL is built by lablens itself, but it still takes the one road every SQL
takes to the warehouse, so the read-only, partition-filter and row-cap rules hold for it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.errors import ExperimentError, SqlRejected

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.experiments.result_cache import ResultCache
    from tools.warehouse.connection import Warehouse


def fetch_rows(
    sql: str,
    catalog: Catalog,
    warehouse: Warehouse,
    *,
    purpose: str,
    cache: ResultCache | None = None,
) -> list[dict[str, Any]]:
    """Validate and run `sql`; every row as {column: value}.

    With a `cache`, the validated statement's rows come from it when stored under the
    warehouse's current fingerprint, and are stored there after running otherwise.

    Raises `SqlRejected` when the validator refuses the statement (the catalog does not
    describe the warehouse the way the experiment source says) and `ExperimentError` when
    the result hit the warehouse's row cap (an aggregate that large means a wrong grouping).
    """
    from tools.sql.validate import validate_sql
    from tools.warehouse.execute import QueryResult

    # `run_validated`, opened up so a cached result can stand in for the execution: the
    # statement is validated first either way, and only the validated text runs. No EXPLAIN
    # dry run: the statement runs right after, and the engine reports the same errors.
    report = validate_sql(sql, catalog, dialect=warehouse.dialect, default_limit=None)
    result: QueryResult | None = None
    if report.valid:
        cached = cache.get(report.sql) if cache is not None else None
        if cached is not None:
            return cached
        result = warehouse.execute(report.sql)
    if result is None:
        raise SqlRejected(
            f"The {purpose} query was rejected by the SQL validator:\n{report.summary()}",
            problems=[p.to_dict() for p in report.errors],
            hint="Check the catalog's experiments section and metric "
            "definitions against the warehouse.",
        )
    if result.truncated:
        raise ExperimentError(
            f"The {purpose} query returned more rows than the row cap ({result.row_count})",
            hint="Use fewer segment columns, or raise `[warehouse] row_cap`.",
        )
    if cache is not None:
        cache.put(report.sql, result.columns, result.rows)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]
