"""Evaluate `lablens ask` offline on the agent evaluation sets: tool selection and facts.

    PYTHONPATH=. python bench/eval_agent.py --workspace /tmp/demo [--set main|heldout|both] [-v]

The workspace is a full demo (`lablens demo --workspace DIR`, with its index). A question's
tools are right when the set of tools called equals the expected set; its facts are right when
the verdict, every number (at its rounding), the cited file, every expected word and the exit
code all hold. Prints both accuracies by category, the main and the held-out set apart.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "main": ROOT / "tests" / "data" / "agent_eval.yaml",
    "heldout": ROOT / "tests" / "data" / "agent_eval_heldout.yaml",
}
_NUM = re.compile(r"(?<![\w.])[-+−±]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")


@dataclass
class Outcome:
    id: str
    category: str
    tools_ok: bool
    facts_ok: bool
    used: list[str]
    problems: list[str]
    ms: float


def number_present(fact: str, text: str) -> bool:
    """`fact` ("2.8%", "885740", "0.0479") appears in `text` at the fact's rounding."""
    m = _NUM.fullmatch(fact.strip())
    if m is None:
        return fact in text
    want = float(m.group(1).replace(",", "") + (m.group(2) or ""))
    decimals = len(m.group(2) or "") - (1 if m.group(2) else 0)
    percent = bool(m.group(3))
    for n in _NUM.finditer(text):
        if percent and not n.group(3):
            continue
        got = abs(float(n.group(1).replace(",", "") + (n.group(2) or "")))
        if round(got, decimals) == round(want, decimals):
            return True
    return False


def check_facts(q: dict[str, Any], text: str, cited: list[str], code: int) -> list[str]:
    facts = q.get("facts") or {}
    problems = []
    low = text.lower()
    if "verdict" in facts and not re.search(rf"\b{facts['verdict']}\b", low):
        problems.append(f"verdict {facts['verdict']} missing")
    for number in facts.get("numbers", []):
        if not number_present(str(number), text):
            problems.append(f"number {number} missing")
    if "cite" in facts and facts["cite"] not in cited:
        problems.append(f"{facts['cite']} not cited (cited: {sorted(set(cited))})")
    for word in facts.get("contains", []):
        if str(word).lower() not in low:
            problems.append(f"'{word}' missing")
    if code != q.get("exit", 0):
        problems.append(f"exit {code}, expected {q.get('exit', 0)}")
    return problems


def ask(
    session: Any, question: str, turns: list[Any]
) -> tuple[list[str], str, list[str], int, Any]:
    from agent.assistant.conversation import Turn
    from agent.assistant.events import AnswerReady, Failed, StepFinished

    used: list[str] = []
    text, cited, code, turn = "", [], 2, None
    for event in session.answer(question, turns):
        if isinstance(event, StepFinished):
            used.append(event.tool)
        elif isinstance(event, AnswerReady):
            text, code = event.text, 0
            cited = [s.path for s in event.sources]
            turn = Turn.from_context(question, event.text, event.context)
        elif isinstance(event, Failed):
            text = f"{event.title}: {event.message} {event.hint or ''}"
    return used, text, cited, code, turn


def evaluate(session: Any, path: Path, verbose: bool) -> list[Outcome]:
    import yaml

    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    outcomes = []
    for q in questions:
        turns: list[Any] = []
        for earlier in q.get("history") or []:
            *_, turn = ask(session, earlier, turns)
            if turn is not None:
                turns.append(turn)
        start = time.perf_counter()
        used, text, cited, code, _ = ask(session, q["question"], turns)
        ms = (time.perf_counter() - start) * 1000
        tools_ok = set(used) == set(q.get("tools") or [])
        problems = check_facts(q, text, cited, code)
        if not tools_ok:
            problems.insert(0, f"tools {used}, expected {q.get('tools')}")
        outcomes.append(Outcome(q["id"], q["category"], tools_ok, not problems, used, problems, ms))
        if verbose and problems:
            print(f"  ✗ {q['id']}: {'; '.join(problems)}", file=sys.stderr)
    return outcomes


def report(name: str, outcomes: list[Outcome]) -> None:
    by: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by[o.category].append(o)
    print(f"\n{name}: {len(outcomes)} questions")
    print(f"{'category':<14}{'n':>4}{'tools':>9}{'facts':>9}")
    for cat, items in sorted(by.items()):
        t = sum(o.tools_ok for o in items) / len(items)
        f = sum(o.facts_ok for o in items) / len(items)
        print(f"{cat:<14}{len(items):>4}{t:>9.0%}{f:>9.0%}")
    t = sum(o.tools_ok for o in outcomes) / len(outcomes)
    f = sum(o.facts_ok for o in outcomes) / len(outcomes)
    median = sorted(o.ms for o in outcomes)[len(outcomes) // 2]
    print(f"{'all':<14}{len(outcomes):>4}{t:>9.1%}{f:>9.1%}   median {median:.0f} ms/question")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", "-w", required=True)
    parser.add_argument("--set", choices=["main", "heldout", "both"], default="both")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each failure")
    args = parser.parse_args()
    from agent.assistant.session import Session

    names = ["main", "heldout"] if args.set == "both" else [args.set]
    with Session(args.workspace, use_llm=False) as session:
        for name in names:
            report(name, evaluate(session, SETS[name], args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
