"""Lower bound for a first `experiment summarize` on the demo warehouse.

Times the smallest statement that does the unavoidable part of the work: join the assigned
units to their window rows, aggregate per unit the window and the CUPED pre-period (six sums
each), then one sum per arm. Whatever an implementation adds (distinct days, every product
for the variances, validation, statistics) comes on top, so if this alone exceeds 1/20 of the
naive approach's time, a first run cannot be 20x faster on this machine. A looser bound
drops the join too (it ignores assignment dates, so it is not a correct analysis): one
GROUP BY user and period over the rows, then the per-arm sum.

    python bench/bench_experiment_floor.py --workspace /tmp/bench-ws [--experiment ID]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta
from pathlib import Path

MEASURES = ("saves", "hides", "impressions", "time_spent_s", "clicks", "closeups")
SUMS = ", ".join(f"SUM({m}) AS s{i}" for i, m in enumerate(MEASURES))
# Every per-unit sum reaches the output: a sum nothing reads is dropped by DuckDB's optimizer,
# and the floor would then aggregate one value per period instead of six.
ARM_SUMS = ", ".join(
    f"SUM(COALESCE(post.s{i}, 0)), SUM(COALESCE(pre.s{i}, 0))" for i in range(len(MEASURES))
)


def floor_sql(experiment: str, start: str, end: str, pre_start: str, surface: str) -> str:
    units = (
        "u AS (SELECT user_id AS unit_id, variant AS arm, MIN(assigned_date) AS assigned_on "
        f"FROM experiment_assignments WHERE experiment_id = '{experiment}' "
        f"AND assigned_date <= DATE '{end}' GROUP BY 1, 2)"
    )
    post = (
        f"post AS (SELECT e.user_id, {SUMS} "
        "FROM engagement_daily e JOIN u ON e.user_id = u.unit_id AND e.dt >= u.assigned_on "
        f"WHERE e.dt BETWEEN DATE '{start}' AND DATE '{end}' AND e.surface = '{surface}' "
        "GROUP BY 1)"
    )
    pre = (
        f"pre AS (SELECT e.user_id, {SUMS} "
        f"FROM engagement_daily e WHERE e.dt >= DATE '{pre_start}' AND e.dt < DATE '{start}' "
        f"AND e.surface = '{surface}' AND e.user_id IN (SELECT unit_id FROM u) GROUP BY 1)"
    )
    return (
        f"WITH {units}, {post}, {pre} SELECT arm, COUNT(*), {ARM_SUMS}, "
        "SUM(COALESCE(pre.s0, 0) * COALESCE(post.s0, 0)) FROM u "
        "LEFT JOIN post ON post.user_id = u.unit_id LEFT JOIN pre ON pre.user_id = u.unit_id "
        "GROUP BY arm"
    )


def no_join_sql(experiment: str, start: str, end: str, pre_start: str, surface: str) -> str:
    units = (
        "u AS (SELECT user_id AS unit_id, variant AS arm FROM experiment_assignments "
        f"WHERE experiment_id = '{experiment}' AND assigned_date <= DATE '{end}' GROUP BY 1, 2)"
    )
    per_user = (
        f"a AS (SELECT user_id, dt >= DATE '{start}' AS post, "
        f"{SUMS} FROM engagement_daily "
        f"WHERE dt BETWEEN DATE '{pre_start}' AND DATE '{end}' AND surface = '{surface}' "
        "GROUP BY 1, 2)"
    )
    return (
        f"WITH {units}, {per_user} SELECT arm, COUNT(*), "
        f"{ARM_SUMS.replace('post.', 'p.').replace('pre.', 'q.')}, "
        "SUM(COALESCE(q.s0, 0) * COALESCE(p.s0, 0)) FROM u "
        "LEFT JOIN a p ON p.user_id = u.unit_id AND p.post "
        "LEFT JOIN a q ON q.user_id = u.unit_id AND NOT q.post GROUP BY arm"
    )


def best_of(con: object, sql: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        con.execute(sql).fetchall()  # type: ignore[attr-defined]
        times.append(round(time.perf_counter() - t0, 3))
    return times


def main() -> None:
    import duckdb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--experiment", default="hf_l1_ranker_v2")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect(str(Path(args.workspace) / "warehouse.duckdb"), read_only=True)
    start, end, surface = con.execute(
        "SELECT start_date, end_date, surface FROM experiments WHERE experiment_id = ?",
        [args.experiment],
    ).fetchall()[0]
    dates = (args.experiment, str(start), str(end), str(start - timedelta(days=28)), surface)
    with_join = best_of(con, floor_sql(*dates), args.runs)
    without_join = best_of(con, no_join_sql(*dates), args.runs)
    print(
        json.dumps(
            {
                "floor_best_s": min(with_join),
                "runs_s": with_join,
                "no_join_bound_best_s": min(without_join),
                "no_join_runs_s": without_join,
            }
        )
    )


if __name__ == "__main__":
    main()
