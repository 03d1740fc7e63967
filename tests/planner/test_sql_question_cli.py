"""`lablens sql "question"` end to end: the JSON shape, --no-execute, --dialect, --save."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.cli import main

KEYS = {
    "question",
    "sql",
    "dialect",
    "valid",
    "errors",
    "explanation",
    "source",
    "columns",
    "rows",
    "row_count",
}


@pytest.fixture
def workspace(small_demo_workspace: Path, tmp_path: Path) -> Path:
    """A private copy: --save writes to the workspace state."""
    root = tmp_path / "ws"
    shutil.copytree(small_demo_workspace, root)
    return root


def _json(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_question_json_has_the_documented_shape(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "sql",
            "top 3 categories by average quality score",
            "--json",
            "--workspace",
            str(small_demo_workspace),
        ]
    )
    data = _json(capsys)
    assert code == 0 and set(data) >= KEYS
    assert data["source"] == "planner" and data["valid"] and data["row_count"] == 3
    assert data["columns"] == ["category", "avg_quality_score"]
    assert data["explanation"].startswith("Computes")


def test_no_execute_validates_without_rows(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "sql",
            "users by country",
            "--no-execute",
            "--json",
            "--workspace",
            str(small_demo_workspace),
        ]
    )
    data = _json(capsys)
    assert code == 0 and data["valid"] and data["rows"] == [] and data["row_count"] == 0


def test_dialect_flag_writes_sql_for_another_engine(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "sql",
            "median time spent yesterday",
            "--dialect",
            "postgres",
            "--json",
            "--workspace",
            str(small_demo_workspace),
        ]
    )
    data = _json(capsys)
    assert code == 0 and data["dialect"] == "postgres"
    assert "PERCENTILE_CONT" in data["sql"] and data["rows"] == []


def test_save_keeps_a_revalidated_example(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.nl2sql.examples import load_examples

    code = main(
        ["sql", "--save", "how many creators do we have", "--json", "--workspace", str(workspace)]
    )
    assert code == 0 and _json(capsys)["saved"]
    [example] = load_examples(workspace / ".lablens")
    assert example.question == "how many creators do we have" and "is_creator" in example.sql


def test_save_refuses_sql_that_fails_validation(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.nl2sql.examples import load_examples

    code = main(
        [
            "sql",
            "--save",
            "all users",
            "--sql",
            "DELETE FROM users",
            "--json",
            "--workspace",
            str(workspace),
        ]
    )
    assert code == 2
    assert load_examples(workspace / ".lablens") == []


def test_llm_flag_without_a_model_falls_back_to_the_planner_with_a_note(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["sql", "users by platform", "--llm", "--json", "--workspace", str(small_demo_workspace)]
    )
    data = _json(capsys)
    assert code == 0 and data["source"] == "planner" and data["row_count"] == 3
    assert any("No language model is configured" in n for n in data["notes"])
