"""`lablens init`: a starter catalog read off a DuckDB file, for people to refine.

One profiling query per table (row count, distinct and non-null counts, ranges, whether text
holds dates) and one value query per low-cardinality text column; what the profiles mean is
decided by the pure rules in `tools.catalog.infer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.catalog.infer import ColumnProfile, TableProfile, infer_catalog
from tools.catalog.model import Catalog, JoinKey, Table
from tools.catalog.value_sample import MAX_VALUES, distinct_values_sql
from tools.sql.identifiers import quote_identifier
from tools.warehouse.duckdb_file import open_duckdb

if TYPE_CHECKING:
    import duckdb

_TEXT_TYPES = ("VARCHAR", "TEXT", "STRING")


def introspect_duckdb(path: Path, *, name: str | None = None) -> Catalog:
    con = open_duckdb(path, read_only=True)
    try:
        profiles = [_profile(con, t, c) for t, c in _table_names(con)]
    finally:
        con.close()
    return infer_catalog(profiles, name=name or path.stem, dialect="duckdb")


def _table_names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT table_name, COALESCE(comment, '') FROM duckdb_tables() "
        "WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _is_text(dtype: str) -> bool:
    return dtype.upper() in _TEXT_TYPES or dtype.upper().startswith("ENUM")


def _profile(con: duckdb.DuckDBPyConnection, table: str, comment: str) -> TableProfile:
    cols = con.execute(
        "SELECT column_name, data_type, COALESCE(comment, '') FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    parts = ["COUNT(*)"]
    for cname, ctype, _ in cols:
        q = quote_identifier(cname, "duckdb")
        parts += [f"COUNT(DISTINCT {q})", f"COUNT({q})"]
        if _is_text(ctype):
            # Text that always parses as a date is a date column stored as text.
            parts += [
                f"COUNT(*) FILTER (WHERE {q} IS NOT NULL AND TRY_CAST({q} AS DATE) IS NULL)",
                f"MAX(LENGTH({q}))",
            ]
        elif any(k in ctype.upper() for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL")):
            parts += [f"MIN({q})", f"MAX({q})"]
        else:
            parts += ["NULL", "NULL"]
    row: tuple[Any, ...] = con.execute(
        f"SELECT {', '.join(parts)} FROM {quote_identifier(table, 'duckdb')}"
    ).fetchall()[0]
    n_rows = int(row[0])
    columns = []
    for i, (cname, ctype, ccomment) in enumerate(cols):
        n_distinct, n_nonnull, a, b = row[1 + 4 * i : 5 + 4 * i]
        values = None
        if _is_text(ctype) and 0 < n_distinct <= MAX_VALUES:
            values = [r[0] for r in con.execute(distinct_values_sql(table, cname)).fetchall()]
        text = _is_text(ctype)
        columns.append(
            ColumnProfile(
                name=cname,
                type=ctype,
                comment=ccomment,
                n_distinct=int(n_distinct),
                n_nonnull=int(n_nonnull),
                text_dates=text and n_nonnull > 0 and a == 0 and (b or 0) >= 8,
                minimum=None if text else a,
                maximum=None if text else b,
                values=values,
            )
        )
    return TableProfile(name=table, comment=comment, n_rows=n_rows, columns=columns)


def guess_join_keys(tables: list[Table]) -> list[JoinKey]:
    """`x_id` in one table joins the table whose first column is `x_id` (its likely key)."""
    from tools.catalog.infer import join_keys_by_name

    return join_keys_by_name(tables)
