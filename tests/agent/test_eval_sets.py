"""The agent evaluation sets are well formed, and no question leaks into the code it judges."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agent.assistant.tools import TOOLS_BY_NAME

ROOT = Path(__file__).resolve().parents[2]
SETS = {"tests/data/agent_eval.yaml": 40, "tests/data/agent_eval_heldout.yaml": 20}
CATEGORIES = {"docs", "data", "experiments", "mixed", "followup", "out_of_scope"}
FACTS = {"verdict", "numbers", "cite", "contains"}


@pytest.mark.parametrize(("name", "at_least"), SETS.items())
def test_set_is_well_formed(name: str, at_least: int) -> None:
    questions = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))["questions"]
    assert len(questions) >= at_least
    assert len({q["id"] for q in questions}) == len(questions)
    assert {q["category"] for q in questions} == CATEGORIES
    for q in questions:
        assert set(q["tools"]) <= set(TOOLS_BY_NAME), q["id"]
        assert set(q.get("facts") or {}) <= FACTS, q["id"]
        if "cite" in (q.get("facts") or {}):
            assert (ROOT / "agent" / "demo" / q["facts"]["cite"]).is_file(), q["id"]


def test_no_evaluation_question_appears_in_the_code() -> None:
    code = "\n".join(
        p.read_text(encoding="utf-8").lower()
        for folder in ("tools", "indexes", "agent/assistant")
        for p in (ROOT / folder).rglob("*.py")
    )
    for name in SETS:
        for q in yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))["questions"]:
            assert q["question"].lower() not in code, q["id"]
