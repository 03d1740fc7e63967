"""Execution accuracy of question -> SQL, every evaluation set, by category.

    python -m bench.eval_sql [--json] [--sets demo,shop,...] [--workspace DIR] [--scale 1.0]
                             [--llm] [--failures] [--questions FILE]

Sets: the demo questions and their held-out third, the paraphrases of the demo questions
(six tuning sets and a held-out third), and two warehouses of other domains (e-commerce
`shop`, ads delivery `ads`, each with a second tuning set `*_more`) generated under
tests/planner/warehouses/ and catalogued by `lablens init`
alone. The demo workspace is built in a temporary folder unless --workspace names one.
Every question runs through the planner (or the LLM path with --llm, which needs a configured
model) and is compared with its gold SQL's result. Held-out sets report their accuracy only:
their failures are never printed (not even with --failures or --json), so they cannot guide
tuning.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
QUESTIONS = DATA / "nl2sql_eval.yaml"
# set name -> (workspace kind, questions file); held-out sets end in "_heldout".
SETS: dict[str, tuple[str, Path]] = {
    "demo": ("demo", QUESTIONS),
    "demo_heldout": ("demo", DATA / "nl2sql_eval_heldout.yaml"),
    "paraphrases": ("demo", DATA / "nl2sql_paraphrases.yaml"),
    "paraphrases_more": ("demo", DATA / "nl2sql_paraphrases_more.yaml"),
    "paraphrases_new": ("demo", DATA / "nl2sql_paraphrases_new.yaml"),
    "paraphrases_fresh": ("demo", DATA / "nl2sql_paraphrases_fresh.yaml"),
    "paraphrases_focus": ("demo", DATA / "nl2sql_paraphrases_focus.yaml"),
    "paraphrases_probe": ("demo", DATA / "nl2sql_paraphrases_probe.yaml"),
    "paraphrases_heldout": ("demo", DATA / "nl2sql_paraphrases_heldout.yaml"),
    "shop": ("shop", DATA / "nl2sql_shop.yaml"),
    "shop_more": ("shop", DATA / "nl2sql_shop_more.yaml"),
    "shop_heldout": ("shop", DATA / "nl2sql_shop_heldout.yaml"),
    "ads": ("ads", DATA / "nl2sql_ads.yaml"),
    "ads_more": ("ads", DATA / "nl2sql_ads_more.yaml"),
    "ads_heldout": ("ads", DATA / "nl2sql_ads_heldout.yaml"),
}


def is_held_out(name: str, path: Path) -> bool:
    return name.endswith("_heldout") or "heldout" in path.name


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


def build_workspace(kind: str, tmp: Path, *, scale: float = 1.0) -> Path:
    """A workspace of `kind`: the demo, or a warehouse of another domain init'ed by lablens."""
    if kind == "demo":
        from agent.demo.build import build_demo_workspace

        root = tmp / "pinlab"
        build_demo_workspace(root, scale=scale, seed=7, index=False)
        return root
    from tests.planner.warehouses import init_workspace

    return init_workspace(kind, tmp / kind)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.eval_sql", description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--workspace", type=Path, help="demo workspace to use (else built)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    ap.add_argument("--questions", type=Path, help="one questions file on the demo instead")
    ap.add_argument("--llm", action="store_true", help="use the LLM path (model must be set)")
    ap.add_argument("--failures", action="store_true", help="list failed questions")
    args = ap.parse_args(argv)
    sets = (
        {"custom": ("demo", args.questions)}
        if args.questions
        else {n: SETS[n] for n in args.sets.split(",") if n}
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots: dict[str, Path] = {}
        if args.workspace is not None:
            roots["demo"] = args.workspace
        for name, (kind, path) in sets.items():
            if kind not in roots:
                roots[kind] = build_workspace(kind, Path(tmp), scale=args.scale)
            results[name] = run_eval(roots[kind], path, llm=args.llm).to_dict()
            if is_held_out(name, path):
                results[name].pop("failures")
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=str)
        print()
        return 0
    for name, data in results.items():
        print(f"\n== {name} ({sets[name][1].name})")
        print(f"{'category':<14} {'correct':>7} {'total':>5} {'accuracy':>8}")
        for cat, v in data["by_category"].items():
            print(f"{cat:<14} {v['correct']:>7} {v['total']:>5} {v['accuracy']:>8.1%}")
        print(f"{'overall':<14} {data['correct']:>7} {data['total']:>5} {data['accuracy']:>8.1%}")
        if args.failures:
            for f in data.get("failures", []):
                print(f"\n- {f['id']}: {f['question']}\n  {f['reason']}\n  {f['sql']}")
    print("\n" + " ".join(f"{n}={d['accuracy']:.1%}" for n, d in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
