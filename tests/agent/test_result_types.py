"""The typed results behind `ask`, `history` and `sql --save`: their compact text forms and the
cases the CLI tests do not reach (a failed step, an empty history)."""

from __future__ import annotations

from pathlib import Path

from agent.assistant.ask_result import AskResult, AskStep
from agent.assistant.events import AnswerReady, Failed, StepFinished
from agent.assistant.history import HistoryMatches
from agent.nl2sql.examples import SavedExample, SqlExample


def test_a_failed_step_reports_its_error_not_its_summary() -> None:
    event = StepFinished(
        "s1", "run_sql", {"sql": "SELECT 1"}, False, "run_sql failed", None, "timeout"
    )
    step = AskStep.of(event)
    assert step.to_dict() == {"tool": "run_sql", "input": {"sql": "SELECT 1"}, "ok": False,
                              "summary": "timeout"}  # fmt: skip
    assert step.to_text() == "✗ timeout"


def test_a_failure_is_titled_and_keeps_the_hint_on_its_own_line() -> None:
    result = AskResult.of("  why?  ", Failed("No answer", "Nothing matched.", "Try a table."), ())
    assert not result.ok and result.question == "why?"
    assert result.to_text() == "No answer: Nothing matched.\nTry a table."
    assert list(result.to_dict())[-1] == "error" and result.to_dict()["error"] == "No answer"


def test_an_answer_has_no_error_key_and_keeps_the_follow_up_context() -> None:
    final = AnswerReady("q", "42", "offline", True, (), ("SELECT 42",), context={"kind": "data"})
    result = AskResult.of("q" * 5000, final, ())
    assert result.ok and "error" not in result.to_dict() and result.to_text() == "42"
    assert len(result.question) == 4000 and result.context == {"kind": "data"}


def test_an_empty_history_says_so() -> None:
    assert HistoryMatches(None, ()).to_text() == "No history yet."
    assert HistoryMatches("x", ()).to_dict() == {"query": "x", "exchanges": []}


def test_a_saved_example_names_its_file(tmp_path: Path) -> None:
    saved = SavedExample(SqlExample("how many", "SELECT 1", "duckdb"), tmp_path / "ex.jsonl")
    assert saved.to_dict()["path"] == str(tmp_path / "ex.jsonl")
    assert saved.to_text() == "Saved as a confirmed example: how many"
