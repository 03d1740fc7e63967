"""Rows -> a DuckDB table in one statement (executemany is ~100x slower)."""

from __future__ import annotations

from typing import Any


def create_table(con: Any, ddl: str, table: str, rows: list[tuple[Any, ...]]) -> None:
    import pandas as pd

    con.execute(ddl)
    columns = [r[1] for r in con.execute(f"PRAGMA table_info('{table}')").fetchall()]
    con.register("frame", pd.DataFrame(rows, columns=columns, dtype=object))
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM frame")
    finally:
        con.unregister("frame")
