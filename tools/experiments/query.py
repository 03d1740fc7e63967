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
    from tools.warehouse.execute import QueryResult


def fetch_rows(
    sql: str,
    catalog: Catalog,
    warehouse: Warehouse,
    *,
    purpose: str,
    cache: ResultCache | None = None,
    read_dialect: str | None = None,
) -> list[dict[str, Any]]:
    """Validate and run `sql`; every row as {column: value}.

    `read_dialect` is the dialect `sql` is written in when it is not the warehouse's: the
    validator transpiles it, and what runs is the transpiled text it proved.

    With a `cache`, the validated statement's result comes from it when stored under the
    warehouse's current fingerprint, and is stored there after running otherwise.

    Raises `SqlRejected` when the validator refuses the statement (the catalog does not
    describe the warehouse the way the experiment source says) and `ExperimentError` when
    the result hit the warehouse's row cap (an aggregate that large means a wrong grouping).
    """
    from tools.warehouse.run import run_validated

    # Validating the analysis' large statements costs more than the rest of a cached run; a
    # verdict is a pure function of its inputs, so a stored one is reused for the same inputs
    # (and then nothing runs at all: the rows come from the cache).
    target = (
        warehouse.dialect
        if read_dialect in (None, warehouse.dialect)
        else (f"{read_dialect}->{warehouse.dialect}")
    )
    source_key = proof_key(sql, catalog, target) if cache is not None else None
    if cache is not None and source_key is not None:
        proven = cache.get_proven(source_key)
        if proven is not None:
            return [dict(zip(proven.columns, row, strict=True)) for row in proven.rows]

    def execute(validated_sql: str) -> QueryResult:
        hit = cache.get(validated_sql) if cache is not None else None
        if hit is not None:
            return hit
        result = warehouse.execute(validated_sql)
        if cache is not None and not result.truncated:
            cache.put(validated_sql, result.columns, result.rows)
        return result

    # No EXPLAIN dry run: the statement runs right after, and the engine reports the same errors.
    report, result = run_validated(
        sql,
        catalog,
        warehouse,
        read_dialect=read_dialect,
        default_limit=None,
        explain=False,
        execute=execute,
    )
    if result is None:
        raise SqlRejected(
            f"The {purpose} query was rejected by the SQL validator:\n{report.summary()}",
            problems=list(report.errors),
            hint="Check the catalog's experiments section and metric "
            "definitions against the warehouse.",
        )
    if cache is not None and source_key is not None and not result.truncated:
        cache.put_proven(source_key, report.sql)
    if result.truncated:
        raise ExperimentError(
            f"The {purpose} query returned more rows than the row cap ({result.row_count})",
            hint="Use fewer segment columns, or raise `[warehouse] row_cap`.",
        )
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def proof_key(sql: str, catalog: Catalog, dialect: str) -> str:
    """The inputs of `validate_sql` for an analysis statement (no LIMIT added, no EXPLAIN)."""
    import hashlib

    from tools.sql.validator_fingerprint import catalog_fingerprint, validator_fingerprint

    parts = ("proof-v1", validator_fingerprint(), catalog_fingerprint(catalog), dialect, sql)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
