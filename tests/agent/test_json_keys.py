"""The `--json` keys of `ask`, `sql --raw`, `sql --save` and `experiment summarize`, in order:
scripts read them, so a result type refactor must keep exactly these (recorded from the CLI
as it printed them before the commands stopped building their own dicts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main

ASK = ["question", "answer", "steps", "sources", "sql", "mode", "grounded"]
STEP = ["tool", "input", "ok", "summary"]
RAW_SQL = [
    "valid", "sql", "dialect", "errors", "warnings",
    "columns", "rows", "row_count", "truncated", "elapsed_ms",
]  # fmt: skip
SAVED = ["saved", "question", "sql", "dialect", "path"]
SUMMARY = [
    "health", "experiment_id", "name", "team", "status", "window", "pre_period", "scope",
    "control", "arms", "srm", "alpha", "correction", "cuped", "caps", "metrics", "verdict",
    "reasons", "mde", "winning_arms", "segment_columns", "segments", "notes", "sql",
]  # fmt: skip


def cli_json(capsys: pytest.CaptureFixture[str], code: int, *argv: str) -> Any:
    capsys.readouterr()
    assert main(list(argv)) == code
    return json.loads(capsys.readouterr().out)


def test_ask_answer_and_failure(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ["-w", str(workspace)]
    ok = cli_json(capsys, 0, "ask", "--json", "--no-llm", "total saves by surface", *w)
    assert list(ok) == ASK and ok["steps"] and all(list(s) == STEP for s in ok["steps"])
    assert ok["mode"] == "offline" and ok["grounded"] is True and ok["sql"]
    failed = cli_json(capsys, 2, "ask", "--json", "--no-llm", "email the team the results", *w)
    assert list(failed) == [*ASK, "error"]
    assert (failed["sources"], failed["sql"], failed["mode"]) == ([], [], "offline")
    assert failed["grounded"] is True and failed["error"] and failed["answer"]


def test_sql_raw_ran_and_rejected(
    indexed_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = ["-w", str(indexed_workspace)]
    sql = "SELECT country, COUNT(*) AS n FROM users GROUP BY country"
    ran = cli_json(capsys, 0, "sql", "--raw", sql, "--json", *w)
    assert list(ran) == RAW_SQL and ran["valid"] is True and ran["rows"]
    assert ran["columns"] == ["country", "n"] and ran["row_count"] == len(ran["rows"])
    rejected = cli_json(capsys, 1, "sql", "--raw", "SELECT cuntry FROM users", "--json", *w)
    assert list(rejected) == RAW_SQL and rejected["valid"] is False
    assert list(rejected["errors"][0]) == ["code", "message", "hint", "line", "column"]
    empty = {"columns": [], "rows": [], "row_count": 0, "truncated": False, "elapsed_ms": None}
    assert {k: rejected[k] for k in empty} == empty


def test_sql_save(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = "how many creators do we have"
    saved = cli_json(capsys, 0, "sql", "--save", question, "--json", "-w", str(workspace))
    assert list(saved) == SAVED and saved["saved"] is True and saved["question"] == question
    assert saved["dialect"] == "duckdb" and "is_creator" in saved["sql"]
    assert Path(saved["path"]).is_file() and Path(saved["path"]).is_relative_to(workspace)


def test_experiment_summarize(
    indexed_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = ["-w", str(indexed_workspace)]
    plain = cli_json(capsys, 0, "experiment", "summarize", "hf_l1_ranker_v2", "--json", *w)
    assert list(plain) == SUMMARY and plain["experiment_id"] == "hf_l1_ranker_v2"
    report = str(tmp_path / "report")
    full = cli_json(
        capsys, 0, "experiment", "summarize", "hf_l1_ranker_v2", "--daily", "--report", report,
        "--json", *w,
    )  # fmt: skip
    assert list(full) == [*SUMMARY, "daily", "report"] and full["daily"] and full["report"]
