"""`lablens init`: a starter catalog read off a DuckDB file, for people to refine.

It lists tables and columns with their types, low-cardinality values, date columns, and
join keys guessed from shared `*_id` column names. Nothing is guessed about metrics.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tools.catalog.model import Catalog, Column, JoinKey, Table
from tools.catalog.value_sample import MAX_VALUES, distinct_values_sql, value_list
from tools.warehouse.duckdb_file import open_duckdb

if TYPE_CHECKING:
    import duckdb

DATE_TYPES = ("DATE", "TIMESTAMP")
TIME_COLUMN_NAMES = ("dt", "ds", "date", "day", "event_date", "event_day")


def introspect_duckdb(path: Path, *, name: str | None = None) -> Catalog:
    con = open_duckdb(path, read_only=True)
    try:
        tables = [_table(con, t) for t in _table_names(con)]
    finally:
        con.close()
    _choose_units(tables)
    return Catalog(
        name=name or path.stem, dialect="duckdb", tables=tables, join_keys=guess_join_keys(tables)
    )


def _table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _table(con: duckdb.DuckDBPyConnection, table: str) -> Table:
    cols = con.execute(
        "SELECT column_name, data_type, COALESCE(comment, '') FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    comment = con.execute(
        "SELECT COALESCE(comment, '') FROM duckdb_tables() WHERE table_name = ?", [table]
    ).fetchall()
    columns = [_column(con, table, cname, ctype, ccomment) for cname, ctype, ccomment in cols]
    dates = [c.name for c in columns if c.is_date]
    time_column = next((d for d in dates if d.lower() in TIME_COLUMN_NAMES), None)
    return Table(
        name=table,
        description=comment[0][0] if comment else "",
        columns=columns,
        time_column=time_column,
        partition_column=time_column,
    )


def _choose_units(tables: list[Table]) -> None:
    """The unit of a table is its `*_id` column naming the warehouse's most common entity."""
    from collections import Counter

    counts = Counter(
        c.name.lower() for t in tables for c in t.columns if c.name.lower().endswith("_id")
    )
    for t in tables:
        ids = [c.name for c in t.columns if c.name.lower().endswith("_id")]
        if ids:
            t.unit_column = max(ids, key=lambda n: (counts[n.lower()], -ids.index(n)))


def _column(
    con: duckdb.DuckDBPyConnection, table: str, name: str, dtype: str, comment: str
) -> Column:
    is_date = dtype.upper().startswith(DATE_TYPES)
    values = None
    if dtype.upper() in ("VARCHAR", "TEXT", "STRING") or dtype.upper().startswith("ENUM"):
        n_rows = con.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchall()[0][0]
        rows = con.execute(distinct_values_sql(table, name, limit=MAX_VALUES + 1)).fetchall()
        values = value_list([r[0] for r in rows], n_rows=n_rows)
    return Column(name=name, type=dtype, description=comment, values=values, is_date=is_date)


def guess_join_keys(tables: list[Table]) -> list[JoinKey]:
    """`x_id` in one table joins the table whose first column is `x_id` (its likely key)."""
    owners = {t.columns[0].name.lower(): t for t in tables if t.columns}
    keys = []
    for t in tables:
        for c in t.columns:
            owner = owners.get(c.name.lower())
            if c.name.lower().endswith("_id") and owner is not None and owner.name != t.name:
                keys.append(
                    JoinKey(
                        left_table=t.name,
                        left_column=c.name,
                        right_table=owner.name,
                        right_column=owner.columns[0].name,
                    )
                )
    return keys
