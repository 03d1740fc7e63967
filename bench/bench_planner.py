"""Offline planner latency per question, warm: plan + SQL + explanation (no warehouse I/O).

    python -m bench.bench_planner [--repeat 5] [--json] [--kind shop|ads]

Uses the demo catalog and every question of tests/data/nl2sql_eval.yaml; the planner context
(reference day, data bounds, sampled values) is fixed as the demo warehouse would give it.
With --kind, the warehouse of that domain is generated, catalogued by `lablens init`, and its
real planner context (entity names included) is read once, as `lablens sql` does.
Prints p50 / p95 / max in milliseconds. Target: p50 <= 20 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "agent" / "demo" / "catalog.yaml"
QUESTIONS = ROOT / "tests" / "data" / "nl2sql_eval.yaml"


def main(argv: list[str] | None = None) -> int:
    from agent.nl2sql.evaluate import load_questions
    from tools.catalog.load import load_catalog
    from tools.planner import PlannerContext

    ap = argparse.ArgumentParser(prog="python -m bench.bench_planner")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--kind", choices=["shop", "ads"], help="a warehouse of another domain")
    args = ap.parse_args(argv)
    if args.kind:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            return _time(args, *_init_context(args.kind, Path(tmp)))
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
    return _time(args, catalog, ctx, [q.question for q in questions])


def _init_context(kind: str, tmp: Path) -> tuple[Any, Any, list[str]]:
    from agent.nl2sql.evaluate import load_questions
    from agent.workspace import Workspace
    from tests.planner.warehouses import init_workspace
    from tools.planner.warehouse_context import planner_context
    from tools.warehouse.connection import open_warehouse

    with contextlib.redirect_stdout(io.StringIO()):
        ws = Workspace.open(init_workspace(kind, tmp / kind))
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        ctx = planner_context(ws.catalog, warehouse)
    _anchor, questions = load_questions(ROOT / "tests" / "data" / f"nl2sql_{kind}.yaml")
    return ws.catalog, ctx, [q.question for q in questions]


def _time(args: argparse.Namespace, catalog: Any, ctx: Any, questions: list[str]) -> int:
    from tools.errors import PlanningError
    from tools.planner import plan_sql

    for q in questions:  # warm-up: imports, sqlglot caches
        with suppress(PlanningError):
            plan_sql(q, catalog, ctx)
    timings: list[float] = []
    for _ in range(args.repeat):
        for q in questions:
            start = time.perf_counter()
            with suppress(PlanningError):
                plan_sql(q, catalog, ctx)
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
