"""`lablens init`: a starter catalog read off any warehouse adapter, for people to refine.

The adapter lists the tables and columns (`Warehouse.introspect`). The profiles — one query
per table (row count, distinct and non-null counts, ranges, whether text holds dates) and one
value query per low-cardinality text column — are built here with sqlglot for the adapter's
dialect and go through `run_validated` against a provisional catalog of the listed tables:
they pass the validator and run on the read-only connection under the warehouse's deadline
and caps, like every other query. What the profiles mean is decided by the pure rules in
`tools.catalog.infer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.catalog.infer import ColumnProfile, TableProfile, infer_catalog
from tools.catalog.model import Catalog, Column, JoinKey, Table
from tools.catalog.value_sample import MAX_VALUES, distinct_values_sql, is_text_type
from tools.errors import QueryError, WarehouseError

if TYPE_CHECKING:
    from sqlglot import exp

    from tools.warehouse.protocol import TableInfo, Warehouse

_SLOW_HINT = (
    "Each profile reads its whole table once: allow it more time (`lablens init --timeout S`, "
    "or `[warehouse] timeout_s`)."
)
_NUMBER_WORDS = ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL")
# Text that looks like an ISO date, for engines with no cast that yields NULL on failure.
_ISO_DATE = "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"


def introspect_warehouse(warehouse: Warehouse, *, name: str) -> Catalog:
    """The starter catalog of every table `warehouse` lists; raises `WarehouseError` when it
    lists none (nothing to describe) or cannot be read."""
    try:
        tables = warehouse.introspect()
    except QueryError as exc:  # past the deadline, or cancelled
        raise WarehouseError(
            f"Cannot list the warehouse's tables: {exc.message}", hint=_SLOW_HINT
        ) from None
    if not tables:
        raise WarehouseError(
            "The warehouse has no tables to describe.",
            hint="Point lablens init at the database or file that holds the tables.",
        )
    provisional = Catalog(
        name=name,
        dialect=warehouse.dialect,
        tables=[
            Table(name=t.name, columns=[Column(name=c.name, type=c.type) for c in t.columns])
            for t in tables
        ],
    )
    profiles = [_profile(warehouse, provisional, t) for t in tables]
    return infer_catalog(profiles, name=name, dialect=warehouse.dialect)


def introspect_duckdb(path: Path, *, name: str | None = None) -> Catalog:
    """The starter catalog of a DuckDB file, read through its read-only adapter."""
    from tools.warehouse.connection import WarehouseConfig, open_warehouse

    with open_warehouse(WarehouseConfig(path=path), path.parent) as warehouse:
        return introspect_warehouse(warehouse, name=name or path.stem)


def _is_number(dtype: str) -> bool:
    return any(k in dtype.upper() for k in _NUMBER_WORDS) and "INTERVAL" not in dtype.upper()


def _rows(warehouse: Warehouse, catalog: Catalog, sql: str, table: str) -> list[list[Any]]:
    from tools.warehouse.run import run_validated

    try:
        report, result = run_validated(sql, catalog, warehouse, default_limit=None, explain=False)
    except QueryError as exc:
        # A profile reads the whole table: "filter more" is no help, more time is.
        slow = exc.message.startswith("The query ran longer than")
        hint = _SLOW_HINT if slow else exc.hint
        raise WarehouseError(f"Cannot profile table {table}: {exc.message}", hint=hint) from None
    if result is None:
        # lablens built this statement itself: a refusal is a bug here, not the user's input.
        raise RuntimeError(f"the profile query of {table} was refused: {report.summary()}")
    return result.rows


def _profile(warehouse: Warehouse, catalog: Catalog, table: TableInfo) -> TableProfile:
    dialect = warehouse.dialect
    row = _rows(warehouse, catalog, _profile_sql(table, dialect), table.name)[0]
    columns = []
    for i, col in enumerate(table.columns):
        n_distinct, n_nonnull, a, b = row[1 + 4 * i : 5 + 4 * i]
        text = is_text_type(col.type)
        values = None
        if text and 0 < n_distinct <= MAX_VALUES:
            sql = distinct_values_sql(table.name, col.name, dialect=dialect)
            values = [r[0] for r in _rows(warehouse, catalog, sql, table.name)]
        columns.append(
            ColumnProfile(
                name=col.name,
                type=col.type,
                comment=col.comment,
                n_distinct=int(n_distinct),
                n_nonnull=int(n_nonnull),
                text_dates=text and n_nonnull > 0 and a == 0 and (b or 0) >= 8,
                minimum=None if text else a,
                maximum=None if text else b,
                values=values,
            )
        )
    return TableProfile(name=table.name, comment=table.comment, n_rows=int(row[0]), columns=columns)


def _profile_sql(table: TableInfo, dialect: str) -> str:
    """One row: COUNT(*), then per column distinct count, non-null count and two facts — for
    text the values that are not dates and the longest length, for numbers the range."""
    from sqlglot import exp

    parts: list[exp.Expression] = [exp.Count(this=exp.Star())]
    for c in table.columns:
        col = exp.column(c.name, quoted=True)
        parts += [
            exp.Count(this=exp.Distinct(expressions=[col.copy()])),
            exp.Count(this=col.copy()),
        ]
        if is_text_type(c.type):
            # Text that always parses as a date is a date column stored as text.
            undated = exp.and_(col.copy().is_(exp.null()).not_(), _not_a_date(col, dialect))
            parts += [
                exp.Count(this=exp.Case(ifs=[exp.If(this=undated, true=exp.Literal.number(1))])),
                exp.Max(this=exp.Length(this=col.copy())),
            ]
        elif _is_number(c.type):
            parts += [exp.Min(this=col.copy()), exp.Max(this=col.copy())]
        else:
            parts += [exp.Null(), exp.Null()]
    query = exp.select(*parts).from_(exp.Table(this=exp.to_identifier(table.name, quoted=True)))
    return query.sql(dialect=dialect)


def _not_a_date(col: exp.Column, dialect: str) -> exp.Expression:
    """True where the text is not a date: the engine's own safe cast where it has one
    (DuckDB's TRY_CAST, BigQuery's SAFE_CAST, SQLite's DATE()), else an ISO-date pattern."""
    from sqlglot import exp

    safe = exp.TryCast(this=col.copy(), to=exp.DataType.build("DATE"))
    if not safe.sql(dialect=dialect).upper().startswith("CAST("):
        return safe.is_(exp.null())
    # sqlglot writes TRY_CAST as a plain CAST here, which would fail on the first non-date.
    return exp.RegexpLike(this=col.copy(), expression=exp.Literal.string(_ISO_DATE)).not_()


def guess_join_keys(tables: list[Table]) -> list[JoinKey]:
    """`x_id` in one table joins the table whose first column is `x_id` (its likely key)."""
    from tools.catalog.infer import join_keys_by_name

    return join_keys_by_name(tables)
