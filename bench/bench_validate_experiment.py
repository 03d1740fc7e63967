"""Validator speed on the largest statements lablens writes: each experiment's statistics
statement (DuckDB), validated as `experiment summarize` validates it, median of N runs.

Usage: .venv/bin/python bench/bench_validate_experiment.py --workspace WS [--runs 7]
WS is a demo workspace (`lablens demo --no-index -w WS`). It says whether sqlglot's compiled
modules (`sqlglot[c]`) are in use: run it once with them and once without
(`pip uninstall sqlglotc`, then `pip install "sqlglot[c]"` again) to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.workspace import Workspace  # noqa: E402
from tools.experiments.analysis_sql import experiment_sql  # noqa: E402
from tools.experiments.source import list_experiments  # noqa: E402
from tools.sql.validate import validate_sql  # noqa: E402
from tools.warehouse.connection import open_warehouse  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import sqlglot.parser

    compiled = not str(sqlglot.parser.__file__).endswith(".py")
    ws = Workspace.open(args.workspace)
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        metas = [meta for meta, _units in list_experiments(ws.catalog, warehouse)]
    print(f"sqlglot {sqlglot.__version__}, compiled modules: {'yes' if compiled else 'no'}")
    total: list[float] = []
    for meta in metas:
        for statement in experiment_sql(ws.catalog, meta, dialect="duckdb").statements:
            times = []
            for _ in range(args.runs):
                start = time.process_time()
                report = validate_sql(
                    statement.sql, ws.catalog, dialect="duckdb", default_limit=None
                )
                times.append(time.process_time() - start)
                assert report.valid, report.summary()
            median = statistics.median(times)
            total.append(median)
            print(
                f"{meta.experiment_id:<24} {len(statement.sql):>6} chars  {median * 1000:7.1f} ms"
            )
    print(f"all statements: {sum(total) * 1000:.0f} ms CPU (medians of {args.runs} runs)")


if __name__ == "__main__":
    main()
