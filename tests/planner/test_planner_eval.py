"""The execution-accuracy evaluation (tests/data/nl2sql_eval.yaml) meets its target."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agent.nl2sql.evaluate import load_questions, results_match

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "nl2sql_eval.yaml"
TARGET = 0.85
PARAPHRASE_TARGET = 0.95


pytestmark = pytest.mark.slow  # the whole file (listed first, so no worker ends on it)


def test_the_evaluation_has_at_least_80_questions_across_categories() -> None:
    _anchor, questions = load_questions(QUESTIONS)
    assert len(questions) >= 80
    assert len({q.id for q in questions}) == len(questions)
    counts = Counter(q.category for q in questions)
    assert len(counts) >= 8 and min(counts.values()) >= 5


def test_offline_planner_execution_accuracy_meets_target(small_demo_workspace: Path) -> None:
    from bench.eval_sql import run_eval

    report = run_eval(small_demo_workspace, QUESTIONS)
    failures = [(o.question.id, o.reason) for o in report.outcomes if not o.correct]
    assert report.accuracy >= TARGET, failures


def test_result_comparison_tolerates_order_columns_and_rounding() -> None:
    gold = [("US", 10), ("JP", 2.0000000001)]
    assert results_match(gold, [(2, "JP"), (10, "US")], ordered=False)
    assert not results_match(gold, [(2, "JP"), (10, "US")], ordered=True)
    assert not results_match(gold, [("US", 10), ("JP", 3)], ordered=False)
    assert not results_match(gold, [("US", 10)], ordered=False)


def test_held_out_questions_meet_the_target_too(small_demo_workspace: Path) -> None:
    """Questions written after the planner and never used to tune it."""
    from bench.eval_sql import run_eval

    report = run_eval(small_demo_workspace, QUESTIONS.with_name("nl2sql_eval_heldout.yaml"))
    failures = [(o.question.id, o.reason) for o in report.outcomes if not o.correct]
    assert len(report.outcomes) >= 25 and report.accuracy >= TARGET, failures


@pytest.mark.parametrize("name", ["nl2sql_paraphrases.yaml", "nl2sql_paraphrases_more.yaml"])
def test_paraphrase_tuning_sets_meet_their_target(name: str, small_demo_workspace: Path) -> None:
    """The demo questions asked other ways (tuning sets; the held-out third is not listed)."""
    from bench.eval_sql import run_eval

    report = run_eval(small_demo_workspace, QUESTIONS.with_name(name))
    failures = [(o.question.id, o.reason) for o in report.outcomes if not o.correct]
    assert report.accuracy >= PARAPHRASE_TARGET, failures
