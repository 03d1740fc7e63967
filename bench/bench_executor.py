"""Executor overhead: the killable worker process against DuckDB in process, per query.

Usage: .venv/bin/python bench/bench_executor.py [--queries 200] [--rounds 3]

Builds a small warehouse in a temp folder, then runs the same statements alternately through
`DuckDBWarehouse` (worker process: frame encoding, pipe round trip, pickled rows) and through
a hardened in-process connection (`open_hardened`, a fresh cursor per statement, the same
byte-bounded fetch). Reports p50/p95 per query and the difference; the first query (worker
start) is reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sql.conftest import build_warehouse  # noqa: E402
from tools.warehouse.config import WarehouseConfig  # noqa: E402
from tools.warehouse.duckdb_adapter import DuckDBWarehouse  # noqa: E402
from tools.warehouse.duckdb_file import open_hardened  # noqa: E402
from tools.warehouse.results import ResultBounds, fetch_bounded  # noqa: E402

QUERIES = [
    "SELECT 1 AS one",
    "SELECT country, count(*) AS n FROM users GROUP BY country ORDER BY country",
    "SELECT ds, surface, sum(saves) AS s FROM events WHERE ds >= DATE '2024-03-02' "
    "GROUP BY ds, surface ORDER BY ds, surface",
    "SELECT user_id, country, signup_date FROM users ORDER BY user_id LIMIT 60",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_warehouse(Path(tmp) / "w.duckdb")
        config = WarehouseConfig(path=path, row_cap=10_000, temp_dir=Path(tmp) / "spill")
        bounds = ResultBounds(row_cap=config.row_cap)
        worker = DuckDBWarehouse(config)
        start = time.perf_counter()
        worker.execute("SELECT 1")
        first_ms = (time.perf_counter() - start) * 1e3
        conn = open_hardened(path, memory_limit=config.memory_limit, temp_dir=config.temp_dir)

        def in_process(sql: str) -> None:
            session = conn.cursor()
            try:
                fetch_bounded(session.execute(sql).fetchmany, bounds)
            finally:
                session.close()

        per: dict[str, list[float]] = {"worker": [], "in_process": []}
        for _ in range(ns.rounds):
            for i in range(ns.queries):
                sql = QUERIES[i % len(QUERIES)]
                for name, run in (("worker", worker.execute), ("in_process", in_process)):
                    t0 = time.perf_counter()
                    run(sql)
                    per[name].append((time.perf_counter() - t0) * 1e3)
        worker.close()
        conn.close()
    w50, i50 = percentile(per["worker"], 0.5), percentile(per["in_process"], 0.5)
    w95, i95 = percentile(per["worker"], 0.95), percentile(per["in_process"], 0.95)
    print("| measure | value |")
    print("|---|---|")
    print(f"| queries per executor | {len(per['worker'])} |")
    print(f"| in-process p50 / p95 | {i50:.2f} ms / {i95:.2f} ms |")
    print(f"| worker process p50 / p95 | {w50:.2f} ms / {w95:.2f} ms |")
    print(f"| overhead p50 / p95 | {w50 - i50:.2f} ms / {w95 - i95:.2f} ms |")
    mean = statistics.mean(per["worker"]) - statistics.mean(per["in_process"])
    print(f"| mean overhead | {mean:.2f} ms |")
    print(f"| first query (starts the worker) | {first_ms:.0f} ms |")


if __name__ == "__main__":
    main()
