"""Benchmark: `analyze_experiment` (sufficient statistics in SQL) against the naive approach.

The naive approach is what a user would write by hand: pull the engagement rows and the
assignments into pandas, build per-user metrics with groupby, and test with scipy. It
computes the same metrics (every catalog metric on the table, post and CUPED pre-period
values, zeros for inactive users) so both do the same statistical work.

Each approach runs in its own subprocess; the parent reads the child's peak RSS
(`ru_maxrss`) and the wall time of the work (imports excluded, reported separately).
lablens runs DuckDB in a worker process of its own (`tools/warehouse/duckdb_worker.py`):
its peak RSS (`worker_rss_mb`, the child's children) is added to the child's own for
`total_rss_mb`, the figure compared with the naive approach's memory.

    lablens demo --scale 3 --no-index --workspace /tmp/bench-ws
    python bench/bench_experiment.py --workspace /tmp/bench-ws [--experiment hf_l1_ranker_v2]
        [--approaches floor,lablens,lablens-cached,naive-full] [--repeat 5]

With `--repeat N` the approaches run interleaved N times (a busy machine slows them all
alike) and the medians are reported, with the load average before and after.
`lablens-no-health` is the first run without the health checks and percentile caps: the
statement built with `stats_sql(health=False)` (the same columns, the health counts left
as constants) and `cap=False`; the estimates, the verdict and the report are computed as
usual. What the health checks and caps cost is `lablens` minus it.

`lablens` runs without the result cache (every statistic computed from the rows). With
`lablens-cached` the cache lives in a fresh temporary folder: `lablens-fill` is the first
run into the empty cache, `lablens-cached` the repeat run that reads it (the warehouse file
is unchanged in between). `engine_s` is the time inside the warehouse's `execute`,
`python_s` the rest of the work (validation, statistics, cache); `cpu_s` the CPU time of
the work, all threads (DuckDB uses several), and `worker_cpu_s` that of the DuckDB worker.
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
from typing import Any

APPROACHES = (
    "floor",
    "lablens",
    "lablens-no-health",
    "lablens-cached",
    "naive-window",
    "naive-full",
)


def _cpu_s() -> float:
    """CPU seconds of this process, all threads: less sensitive to a busy machine than wall."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_lablens(
    workspace: str, experiment: str, cache_dir: str | None = None, *, health: bool = True
) -> dict[str, Any]:
    t0 = time.perf_counter()
    from agent.workspace import Workspace
    from tools.experiments.early_start import start_unless_cached
    from tools.warehouse.connection import open_warehouse

    # In the order `lablens experiment summarize` does it (agent/commands/experiment.py):
    # the worker starts before the analysis modules are imported, and opens the file while
    # they load, so the work timed below begins with the worker as the command has it.
    ws = Workspace.open(workspace)
    wh = open_warehouse(ws.settings.warehouse, ws.root)
    start_unless_cached(wh, Path(cache_dir) if cache_dir else None, experiment)
    from tools.experiments import collect
    from tools.experiments.analyze import analyze_experiment

    if not health:  # the bench's own switch: no user-facing way to drop the checks
        from functools import partial

        from tools.experiments.statements.stats_statement import stats_sql

        collect.stats_sql = partial(stats_sql, health=False)  # type: ignore[attr-defined]

    imported = time.perf_counter()
    cpu0 = _cpu_s()
    engine_s = 0.0
    with wh:
        execute = wh.execute

        def timed(sql: str) -> Any:  # engine time, to split the work into SQL and Python
            nonlocal engine_s
            start = time.perf_counter()
            try:
                return execute(sql)
            finally:
                engine_s += time.perf_counter() - start

        wh.execute = timed  # type: ignore[method-assign]
        analysis = analyze_experiment(
            ws.catalog,
            wh,
            experiment,
            cache_dir=Path(cache_dir) if cache_dir else None,
            cap=health,
        )
        verdict = analysis.verdict.verdict
        metrics = len(analysis.metrics)
    done = time.perf_counter()
    return {
        "import_s": imported - t0,
        "work_s": done - imported,
        "cpu_s": round(_cpu_s() - cpu0, 2),
        "engine_s": round(engine_s, 2),
        "python_s": round(done - imported - engine_s, 2),
        "verdict": verdict,
        "metrics": metrics,
    }


def run_naive(workspace: str, experiment: str, *, whole_table: bool) -> dict[str, Any]:
    """Rows into pandas, per-user metrics, scipy Welch tests (CUPED by hand for means)."""
    t0 = time.perf_counter()
    from datetime import timedelta

    import duckdb
    import numpy as np
    import pandas as pd
    from scipy import stats

    imported = time.perf_counter()
    cpu0 = _cpu_s()
    con = duckdb.connect(str(Path(workspace) / "warehouse.duckdb"), read_only=True)
    meta = (
        con.execute("SELECT * FROM experiments WHERE experiment_id = ?", [experiment]).df().iloc[0]
    )
    start, end = meta["start_date"].date(), meta["end_date"].date()
    pre_start = start - timedelta(days=28)
    assignments = con.execute(
        "SELECT user_id, variant, assigned_date FROM "
        "experiment_assignments WHERE experiment_id = ?",
        [experiment],
    ).df()
    if whole_table:
        rows = con.execute("SELECT * FROM engagement_daily").df()
        rows = rows[
            (rows["dt"] >= pd.Timestamp(pre_start))
            & (rows["dt"] <= pd.Timestamp(end))
            & (rows["surface"] == meta["surface"])
        ]
    else:
        rows = con.execute(
            "SELECT * FROM engagement_daily WHERE dt BETWEEN ? AND ? AND surface = ?",
            [pre_start, end, meta["surface"]],
        ).df()
    rows_loaded = len(rows)
    df = rows.merge(assignments, on="user_id")
    post = df[(df["dt"] >= df["assigned_date"]) & (df["dt"] >= pd.Timestamp(start))]
    pre = df[df["dt"] < pd.Timestamp(start)]
    units = assignments.set_index("user_id")

    def per_user(frame: pd.DataFrame) -> pd.DataFrame:
        g = frame.groupby("user_id")
        out = g[["saves", "clicks", "impressions", "closeups", "hides", "time_spent_s"]].sum()
        out["active_days"] = g["dt"].nunique()
        out["saver"] = (frame["saves"] > 0).groupby(frame["user_id"]).any().astype(float)
        return out.reindex(units.index, fill_value=0)

    y, x = per_user(post), per_user(pre)
    y["time_spent_s"] = y["time_spent_s"].clip(upper=200000)
    x["time_spent_s"] = x["time_spent_s"].clip(upper=200000)
    arms = units["variant"]
    control = arms == "control"
    results = []
    for col in (
        "saves",
        "clicks",
        "impressions",
        "closeups",
        "time_spent_s",
        "active_days",
        "saver",
    ):
        cov = np.cov(y[col], x[col])
        theta = cov[0, 1] / cov[1, 1] if cov[1, 1] > 0 else 0.0
        adj = y[col] - theta * (x[col] - x[col].mean())
        for arm in sorted(set(arms) - {"control"}):
            results.append(stats.ttest_ind(adj[arms == arm], adj[control], equal_var=False))
    for num in ("saves", "clicks", "hides", "closeups"):  # ratios over impressions
        for arm in sorted(set(arms) - {"control"}):
            parts = []
            for mask in (arms == arm, control):
                n, d = y[num][mask], y["impressions"][mask]
                r = n.sum() / d.sum()
                parts.append((r, ((n - r * d) / d.mean()).var(ddof=1) / mask.sum()))
            results.append(
                stats.norm.sf(abs(parts[0][0] - parts[1][0]) / np.sqrt(parts[0][1] + parts[1][1]))
                * 2
            )
    done = time.perf_counter()
    return {
        "import_s": imported - t0,
        "work_s": done - imported,
        "cpu_s": round(_cpu_s() - cpu0, 2),
        "rows_loaded": rows_loaded,
        "tests": len(results),
    }


def run_floor(workspace: str, experiment: str) -> dict[str, Any]:
    """The floor statement (bench_experiment_floor.py) once, in a fresh process and connection:
    the engine's unavoidable scan and aggregation, timed like a first lablens run."""
    t0 = time.perf_counter()
    cpu0 = _cpu_s()
    from datetime import timedelta

    import duckdb
    from bench_experiment_floor import floor_sql

    imported = time.perf_counter()
    # No progress bar, as in lablens' worker: on a terminal it would draw over the report.
    con = duckdb.connect(
        str(Path(workspace) / "warehouse.duckdb"),
        read_only=True,
        config={"enable_progress_bar": False},
    )
    start, end, surface = con.execute(
        "SELECT start_date, end_date, surface FROM experiments WHERE experiment_id = ?",
        [experiment],
    ).fetchall()[0]
    sql = floor_sql(experiment, str(start), str(end), str(start - timedelta(days=28)), surface)
    con.execute(sql).fetchall()
    done = time.perf_counter()
    return {
        "import_s": imported - t0,
        "work_s": done - imported,
        "cpu_s": round(_cpu_s() - cpu0, 2),
    }


def child(approach: str, workspace: str, experiment: str, cache_dir: str | None) -> None:
    if approach == "floor":
        out = run_floor(workspace, experiment)
    elif approach in ("lablens", "lablens-cached", "lablens-no-health"):
        out = run_lablens(workspace, experiment, cache_dir, health=approach != "lablens-no-health")
    else:
        out = run_naive(workspace, experiment, whole_table=approach == "naive-full")
    # Linux reports ru_maxrss in KiB; RUSAGE_CHILDREN is the largest finished child (the
    # DuckDB worker, which lablens stops before returning).
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["worker_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["total_rss_mb"] = out["peak_rss_mb"] + out["worker_rss_mb"]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["worker_cpu_s"] = round(children.ru_utime + children.ru_stime, 2)
    print(json.dumps(out))


def table_rows(workspace: str) -> int:
    import duckdb

    con = duckdb.connect(str(Path(workspace) / "warehouse.duckdb"), read_only=True)
    try:
        return int(con.execute("SELECT COUNT(*) FROM engagement_daily").fetchall()[0][0])
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--experiment", default="hf_l1_ranker_v2")
    parser.add_argument("--approaches", default=",".join(APPROACHES))
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds (medians)")
    parser.add_argument("--child", choices=APPROACHES, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workspace, args.experiment, args.cache_dir)
        return
    print(f"engagement_daily rows: {table_rows(args.workspace):,}")
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(args.repeat):
        # A fresh cache folder per round: `lablens-fill` is always a first run into it.
        with tempfile.TemporaryDirectory(prefix="lablens-bench-cache-") as cache_dir:
            for approach in args.approaches.split(","):
                if approach == "lablens-cached":
                    # First run into an empty cache (its own line), then the repeat.
                    pairs = [("lablens-fill", cache_dir), ("lablens-cached", cache_dir)]
                else:
                    pairs = [(approach, None)]
                for name, cache in pairs:
                    out = _run_child(args, approach, cache)
                    runs.setdefault(name, []).append(out)
                    _print_line(name, out)
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    results = {name: _median(outs) for name, outs in runs.items()}
    if args.repeat > 1:
        print(f"medians of {args.repeat} interleaved rounds:")
        for name, out in results.items():
            _print_line(name, out)
    floor, base = results.get("floor"), results.get("lablens")

    def cpu(out: dict[str, Any]) -> float:  # the process and its DuckDB worker
        return float(out["cpu_s"]) + float(out.get("worker_cpu_s", 0.0))

    if floor and base:
        print(
            f"lablens first run vs floor statement: {base['work_s'] / floor['work_s']:.2f}x "
            f"wall, {cpu(base) / cpu(floor):.2f}x CPU"
        )
    bare = results.get("lablens-no-health")
    if bare and base:
        print(
            f"lablens first run with health checks vs without: "
            f"{(base['work_s'] / bare['work_s'] - 1) * 100:+.0f} % wall, "
            f"{(cpu(base) / cpu(bare) - 1) * 100:+.0f} % CPU"
        )
    for mine in ("lablens", "lablens-cached"):
        base = results.get(mine)
        if not base:
            continue
        for name, out in results.items():
            if name.startswith("naive"):
                print(
                    f"{mine} vs {name}: {out['work_s'] / base['work_s']:.1f}x faster, "
                    f"{base['total_rss_mb'] / out['total_rss_mb']:.2f} of the memory "
                    "(lablens counted with its DuckDB worker)"
                )


def _median(outs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per key, the median of the numbers over the rounds (other values from the first)."""
    out = dict(outs[0])
    for key, value in outs[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = statistics.median(o[key] for o in outs)
    return out


def _run_child(args: argparse.Namespace, approach: str, cache_dir: str | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    command = [
        sys.executable,
        __file__,
        "--workspace",
        args.workspace,
        "--experiment",
        args.experiment,
        "--child",
        approach,
    ]
    if cache_dir:
        command += ["--cache-dir", cache_dir]
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - t0
    return out


def _print_line(name: str, out: dict[str, Any]) -> None:
    print(
        f"{name:14s} work {out['work_s']:7.2f} s  (process {out['process_s']:6.2f} s,"
        f" imports {out['import_s']:5.2f} s)  RSS {out['total_rss_mb']:8.1f} MB  "
        + json.dumps(
            {
                k: v
                for k, v in out.items()
                if k not in ("work_s", "process_s", "import_s", "total_rss_mb")
            }
        )
    )


if __name__ == "__main__":
    main()
