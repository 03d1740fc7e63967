"""`lablens init` on a 100-table warehouse: introspection time, end to end (catalog written).

    python -m bench.bench_init [--tables 100] [--rows 5000] [--json]

Generates a deterministic DuckDB warehouse of `--tables` tables in a temporary folder (half
entity tables with a key, a name, a status, a flag and a score; half dated fact tables with
foreign keys, text dates, counts and amounts), then times `lablens init` on it. Target: <= 5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path


def build_warehouse(path: Path, *, tables: int, rows: int) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        entities = tables // 2
        for i in range(entities):
            con.execute(
                f"CREATE TABLE entity_{i} AS SELECT r AS entity_{i}_id, 'Entity {i} ' || r AS "
                f"entity_{i}_name, ['new', 'active', 'closed'][1 + r % 3] AS status, "
                f"r % 4 = 0 AS is_flagged, (r % 100) / 100.0 AS score "
                f"FROM range({rows // 5}) t(r)"
            )
        for j in range(tables - entities):
            e = j % entities
            con.execute(
                f"CREATE TABLE fact_{j} AS SELECT r % {rows // 5} AS entity_{e}_id, "
                f"DATE '2026-01-01' + INTERVAL (r % 90) DAY AS event_day, "
                f"strftime(DATE '2026-01-01' + INTERVAL (r % 60) DAY, '%Y-%m-%d') AS booked_on, "
                f"['a', 'b', 'c', 'd'][1 + r % 4] AS channel, r % 13 AS events, "
                f"r * 0.37 AS amount FROM range({rows}) t(r)"
            )
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_init")
    ap.add_argument("--tables", type=int, default=100)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from agent.cli import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "wide.duckdb"
        build_warehouse(db, tables=args.tables, rows=args.rows)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli(["init", "--warehouse", str(db), "--workspace", tmp, "--json"])
        seconds = time.perf_counter() - start
        catalog = (Path(tmp) / "catalog.yaml").read_text()
    result = {
        "tables": args.tables,
        "rows_per_fact_table": args.rows,
        "exit": code,
        "init_s": round(seconds, 2),
        "catalog_lines": catalog.count("\n"),
        "name_columns": catalog.count("name_column:"),
        "status_columns": catalog.count("status_column:"),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"lablens init, {args.tables} tables: {result['init_s']} s "
            f"(exit {code}, {result['catalog_lines']} catalog lines, "
            f"{result['name_columns']} name columns, {result['status_columns']} status columns)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
