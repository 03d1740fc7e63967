"""Execution accuracy of question -> SQL over the demo warehouse, by category.

    python -m bench.eval_sql [--json] [--workspace DIR] [--scale 1.0] [--llm]

Builds the demo workspace in a temporary folder unless --workspace names one; runs every
question of tests/data/nl2sql_eval.yaml through the planner (or the LLM path with --llm,
which needs a configured model) and compares results with the gold SQL's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "nl2sql_eval.yaml"


def run_eval(workspace: Path, questions_path: Path = QUESTIONS, *, llm: bool = False):  # type: ignore[no-untyped-def]
    from agent.nl2sql.answer import answer_question_text
    from agent.nl2sql.evaluate import evaluate, load_questions
    from agent.workspace import Workspace
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(workspace)
    _anchor, questions = load_questions(questions_path)
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        session = answer_question_text(ws, warehouse, use_llm=llm)
        return evaluate(questions, session, ws.catalog, warehouse)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.eval_sql", description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--llm", action="store_true", help="use the LLM path (model must be set)")
    ap.add_argument("--failures", action="store_true", help="list failed questions")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workspace
        if root is None:
            from agent.demo.build import build_demo_workspace

            root = Path(tmp) / "pinlab"
            build_demo_workspace(root, scale=args.scale, seed=7, index=False)
        report = run_eval(root, args.questions, llm=args.llm)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, default=str)
        print()
        return 0
    data = report.to_dict()
    print(f"{'category':<12} {'correct':>7} {'total':>5} {'accuracy':>8}")
    for cat, v in data["by_category"].items():
        print(f"{cat:<12} {v['correct']:>7} {v['total']:>5} {v['accuracy']:>8.1%}")
    print(f"{'overall':<12} {data['correct']:>7} {data['total']:>5} {data['accuracy']:>8.1%}")
    if args.failures:
        for f in data["failures"]:
            print(f"\n- {f['id']}: {f['question']}\n  {f['reason']}\n  {f['sql']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
