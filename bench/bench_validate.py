"""Validator speed: per-query time over the Spider dev gold queries, and `lablens validate`
end to end from a cold process (with a check that no heavy stack is imported).

Usage: .venv/bin/python bench/bench_validate.py [--cold-runs 15] [--out FILE.md]
Spider data is read from ../shared/external/spider (tables.json, dev_gold.sql).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sql.spider_data import gold_queries, spider_catalogs  # noqa: E402
from tools.sql.validate import validate_sql  # noqa: E402

# This checkout's code, not whatever the installed `lablens` script points at.
LABLENS = [sys.executable, "-m", "agent"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
HEAVY = (
    "torch",
    "chromadb",
    "sentence_transformers",
    "langchain_core",
    "duckdb",
    "pandas",
    "pydantic",
)
COLD_SQL = "SELECT country, count(*) AS n FROM users GROUP BY country ORDER BY n DESC"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_spider(repeat: int) -> dict[str, float]:
    catalogs = spider_catalogs()
    queries = gold_queries()
    for _, sql, db in queries[:50]:  # warm caches (schemas per catalog, dialect objects)
        validate_sql(sql, catalogs[db], dialect="sqlite", default_limit=None)
    wall: list[float] = []
    cpu: list[float] = []
    valid = 0
    for _ in range(repeat):
        for _, sql, db in queries:
            w0, c0 = time.perf_counter(), time.process_time()
            report = validate_sql(sql, catalogs[db], dialect="sqlite", default_limit=None)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
            valid += report.valid
    return {
        "queries": len(queries) * repeat,
        "valid": valid,
        "wall_p50_ms": percentile(wall, 0.5) * 1e3,
        "wall_p95_ms": percentile(wall, 0.95) * 1e3,
        "cpu_p50_ms": percentile(cpu, 0.5) * 1e3,
        "cpu_p95_ms": percentile(cpu, 0.95) * 1e3,
    }


def make_workspace(folder: Path) -> Path:
    """The demo catalog and settings only: `validate` never opens the warehouse."""
    (folder / "catalog.yaml").write_text(
        (ROOT / "agent" / "demo" / "catalog.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "lablens.toml").write_text('catalog = "catalog.yaml"\n', encoding="utf-8")
    return folder


def bench_cold(workspace: Path, runs: int) -> dict[str, object]:
    argv = [*LABLENS, "validate", COLD_SQL, "--json", "-w", str(workspace)]
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=ENV)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU time of the child: what the command costs on an idle machine, minus waiting.
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert done.returncode == 0 and json.loads(done.stdout)["valid"], done.stderr
    probe = (
        "import sys; from agent.cli import main; main(['validate', "
        f"{COLD_SQL!r}, '--json', '-w', {str(workspace)!r}]); "
        f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, env=ENV
    )
    baseline = [_time([sys.executable, "-c", "pass"]) for _ in range(runs)]
    return {
        "runs": runs,
        "median_s": statistics.median(wall),
        "max_s": max(wall),
        "cpu_median_s": statistics.median(cpu),
        "python_startup_median_s": statistics.median(baseline),
        "heavy_modules_imported": done.stderr.strip().splitlines()[-1],
    }


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="passes over the Spider dev set")
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--out", type=Path, help="also write the figures as Markdown here")
    ns = parser.parse_args()
    spider = bench_spider(ns.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        cold = bench_cold(make_workspace(Path(tmp)), ns.cold_runs)
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| Spider dev gold queries validated | {spider['valid']}/{spider['queries']} |",
        f"| validate_sql p50 / p95 (wall) | {spider['wall_p50_ms']:.2f} ms / "
        f"{spider['wall_p95_ms']:.2f} ms |",
        f"| validate_sql p50 / p95 (CPU) | {spider['cpu_p50_ms']:.2f} ms / "
        f"{spider['cpu_p95_ms']:.2f} ms |",
        f"| `lablens validate` cold, median / max of {cold['runs']} | "
        f"{cold['median_s']:.2f} s / {cold['max_s']:.2f} s |",
        f"| `lablens validate` cold, CPU (user+sys) median | {cold['cpu_median_s']:.2f} s |",
        f"| bare `python -c pass`, median | {cold['python_startup_median_s']:.2f} s |",
        f"| heavy modules imported by `validate` | {cold['heavy_modules_imported']} |",
    ]
    text = "\n".join(lines)
    print(text)
    if ns.out:
        ns.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
