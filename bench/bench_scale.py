"""How the planner and the experiment analysis grow with the data (DuckDB demo, no index).

    nice -n 10 python -m bench.bench_scale --scales 0.3 1 3 [--json]

For each scale, builds the demo warehouse in a temp folder, then times: the planner over
every evaluation question (plan + validate + run), and the analysis of the five demo
experiments (no result cache). It also counts the rows the engine scanned against the rows
Python received: the first grows with the data, the second does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXPERIMENTS = (
    "hf_l1_ranker_v2",
    "search_bert_relevance",
    "notif_seq_model",
    "rp_candidate_gen_v3",
    "video_boost_3arm",
)
QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "nl2sql_eval.yaml"


class Counting:
    """A warehouse that counts the rows each statement returns to Python."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.rows = 0
        self.statements = 0

    def explain(self, sql: str) -> str:
        return str(self.inner.explain(sql))

    def execute(self, sql: str) -> Any:
        result = self.inner.execute(sql)
        self.rows += result.row_count
        self.statements += 1
        return result

    def cancel(self) -> None:
        self.inner.cancel()

    def close(self) -> None:
        self.inner.close()


def measure(scale: float, tmp: Path) -> dict[str, Any]:
    import duckdb

    from agent.demo.build import build_demo_workspace
    from agent.nl2sql.answer import answer_question_text
    from agent.nl2sql.evaluate import load_questions
    from agent.workspace import Workspace
    from tools.experiments.analyze import analyze_experiment
    from tools.warehouse.connection import open_warehouse

    root = tmp / f"pinlab-{scale:g}"
    start = time.perf_counter()
    build_demo_workspace(root, scale=scale, seed=7, index=False)
    build_s = time.perf_counter() - start
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        fact_rows = int(con.execute("SELECT COUNT(*) FROM engagement_daily").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()
    ws = Workspace.open(root)
    _anchor, questions = load_questions(QUESTIONS)
    with open_warehouse(ws.settings.warehouse, ws.root) as raw:
        warehouse = Counting(raw)
        start = time.perf_counter()
        answer = answer_question_text(ws, warehouse, use_llm=False)  # type: ignore[arg-type]
        answered = sum(1 for q in questions if answer(q.question).executed)
        planner_s = time.perf_counter() - start
        planner_rows = warehouse.rows
        warehouse.rows = 0
        verdicts = {}
        start = time.perf_counter()
        for experiment_id in EXPERIMENTS:
            analysis = analyze_experiment(ws.catalog, warehouse, experiment_id)  # type: ignore[arg-type]
            verdicts[experiment_id] = analysis.verdict.verdict
        experiments_s = time.perf_counter() - start
    return {
        "scale": scale,
        "engagement_rows": fact_rows,
        "build_s": round(build_s, 1),
        "planner_questions": len(questions),
        "planner_answered": answered,
        "planner_s": round(planner_s, 2),
        "planner_rows_to_python": planner_rows,
        "experiments_s": round(experiments_s, 2),
        "experiment_rows_to_python": warehouse.rows,
        "verdicts": verdicts,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.3, 1.0, 3.0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            results.append(measure(scale, Path(tmp)))
            if not args.json:
                r = results[-1]
                print(
                    f"scale {r['scale']:>4g}: {r['engagement_rows']:>10,} fact rows | build "
                    f"{r['build_s']:>6.1f} s | planner {r['planner_answered']}/"
                    f"{r['planner_questions']} in {r['planner_s']:>6.2f} s "
                    f"({r['planner_rows_to_python']:,} rows to Python) | 5 experiments "
                    f"{r['experiments_s']:>6.2f} s ({r['experiment_rows_to_python']:,} rows "
                    f"to Python) | {sorted(set(r['verdicts'].values()))}",
                    flush=True,
                )
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
