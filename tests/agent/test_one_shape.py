"""One shape per result: each tool's `to_dict()` is exactly its CLI command's `--json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main
from agent.workspace import Workspace


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def plain(data: object) -> Any:
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


def rounded(data: Any) -> Any:
    """Floats to 9 significant digits: DuckDB's parallel sums may differ in the last bits
    between two runs of the same statement; the shape and every figure must still agree."""
    if isinstance(data, float):
        return float(f"{data:.9g}")
    if isinstance(data, dict):
        return {k: rounded(v) for k, v in data.items()}
    if isinstance(data, list):
        return [rounded(v) for v in data]
    return data


def test_search(indexed_workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.assistant.tools.docs import search_docs

    ws = Workspace.open(indexed_workspace)
    out = cli_json(
        capsys, "search", "sample ratio", "--mode", "lexical", "--json", "-w", str(ws.root)
    )
    tool = search_docs("sample ratio", ws.state_dir, mode="lexical")
    assert out == plain(tool.to_dict()) and out["results"]


@pytest.mark.parametrize("table", [None, "users"])
def test_catalog(
    indexed_workspace: Path, capsys: pytest.CaptureFixture[str], table: str | None
) -> None:
    from agent.assistant.tools.catalog import describe_catalog

    ws = Workspace.open(indexed_workspace)
    argv = ["catalog", "show", *([table] if table else []), "--json", "-w", str(ws.root)]
    assert cli_json(capsys, *argv) == plain(describe_catalog(ws.catalog, table).to_dict())


def test_experiment_list_and_summary(
    indexed_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.assistant.tools.experiments import list_experiments, summarize_experiment
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(indexed_workspace)
    listed = cli_json(capsys, "experiment", "list", "--json", "-w", str(ws.root))
    summary = cli_json(
        capsys, "experiment", "summarize", "hf_l1_ranker_v2", "--no-cache", "--daily", "--json",
        "-w", str(ws.root),
    )  # fmt: skip
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        assert listed == plain(list_experiments(ws.catalog, warehouse).to_dict())
        tool = summarize_experiment(ws.catalog, warehouse, "hf_l1_ranker_v2", daily=True)
    assert rounded(summary) == rounded(plain(tool.to_dict()))


def test_sql_raw_and_question(indexed_workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.assistant.planner_adapter import offline_answerer
    from agent.assistant.tools.sql import question_to_sql, run_sql
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(indexed_workspace)
    sql = "SELECT country, COUNT(*) AS n FROM users GROUP BY country ORDER BY country"
    raw = cli_json(capsys, "sql", "--raw", sql, "--json", "-w", str(ws.root))
    question = cli_json(
        capsys, "sql", "number of users by country", "--no-execute", "--json", "-w", str(ws.root)
    )
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        ran = plain(run_sql(sql, ws.catalog, warehouse).to_dict())
        planned = question_to_sql(offline_answerer(ws, warehouse), "number of users by country")
    raw.pop("elapsed_ms"), ran.pop("elapsed_ms")
    assert raw == ran and ran["rows"]
    assert question == plain(planned.to_dict())
