"""Offline planner latency per question, warm: plan + SQL + explanation (no warehouse I/O).

    python -m bench.bench_planner [--repeat 5] [--json]

Uses the demo catalog and every question of tests/data/nl2sql_eval.yaml; the planner context
(reference day, data bounds, sampled values) is fixed as the demo warehouse would give it.
Prints p50 / p95 / max in milliseconds. Target: p50 <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from contextlib import suppress
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "agent" / "demo" / "catalog.yaml"
QUESTIONS = ROOT / "tests" / "data" / "nl2sql_eval.yaml"


def main(argv: list[str] | None = None) -> int:
    from agent.nl2sql.evaluate import load_questions
    from tools.catalog.load import load_catalog
    from tools.errors import PlanningError
    from tools.planner import PlannerContext, plan_sql

    ap = argparse.ArgumentParser(prog="python -m bench.bench_planner")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    catalog = load_catalog(CATALOG)
    _anchor, questions = load_questions(QUESTIONS)
    ids = [
        "hf_l1_ranker_v2",
        "notif_seq_model",
        "rp_candidate_gen_v3",
        "search_bert_relevance",
        "video_boost_3arm",
    ]
    ctx = PlannerContext(
        today=date(2026, 11, 1),
        data_start=date(2026, 9, 1),
        data_end=date(2026, 10, 31),
        known_values={
            ("experiments", "experiment_id"): ids,
            ("experiment_assignments", "experiment_id"): ids,
        },
    )
    for q in questions:  # warm-up: imports, sqlglot caches
        with suppress(PlanningError):
            plan_sql(q.question, catalog, ctx)
    timings: list[float] = []
    for _ in range(args.repeat):
        for q in questions:
            start = time.perf_counter()
            with suppress(PlanningError):
                plan_sql(q.question, catalog, ctx)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    result = {
        "questions": len(questions),
        "runs": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"planner, {result['questions']} questions x {args.repeat}: "
            f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
