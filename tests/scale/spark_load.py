"""Copying a DuckDB warehouse into Spark: each table to parquet, then a Spark table over it.

Test set-up, not lablens: it runs DDL on an admin session of its own, the way a data team's
pipelines would create the tables lablens later reads.
"""

from __future__ import annotations

import warnings
from pathlib import Path


def export_parquet(duckdb_path: Path, out: Path) -> dict[str, Path]:
    """Every table of the DuckDB file as `out/<table>.parquet`."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        files = {}
        for name in names:
            files[name] = out / f"{name}.parquet"
            con.execute(f"COPY \"{name}\" TO '{files[name]}' (FORMAT parquet)")
        return files
    finally:
        con.close()


def load_into_spark(url: str, files: dict[str, Path]) -> None:
    """Create (or replace) one Spark table per parquet file, in the server's default catalog."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyspark.sql.connect.session import SparkSession

        session = SparkSession.builder.remote(url).create()
        try:
            for name, path in files.items():
                session.sql(f"DROP TABLE IF EXISTS `{name}`")
                session.sql(f"CREATE TABLE `{name}` USING parquet LOCATION '{path}'")
                # Warms the JVM and the file listing, so tests time queries, not start-up.
                session.sql(f"SELECT COUNT(*) FROM `{name}`").collect()
        finally:
            session.stop()
