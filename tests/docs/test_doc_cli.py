"""`lablens index` and `lablens search` end to end, in-process, on a workspace whose
embeddings come from a loopback OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from tests.docs.embedding_server import EmbeddingServer


@pytest.fixture()
def workspace(small_corpus: Path, embedding_server: EmbeddingServer) -> Path:
    (small_corpus / "lablens.toml").write_text(
        '[docs]\npaths = ["docs", "reports"]\n\n[embeddings]\nprovider = "openai"\n'
        f'model = "hashed-64"\nbase_url = "{embedding_server.base_url}"\napi_key = "k"\n'
    )
    return small_corpus


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_index_json_summary_then_search_json_results(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "index", "--workspace", str(workspace), "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["files_indexed"], summary["skipped"]) == (4, [])
    code, out = _run(
        capsys,
        "search",
        "sample ratio mismatch",
        "-k",
        "2",
        "--json",
        "--workspace",
        str(workspace),
    )
    data = json.loads(out)
    assert code == 0 and data["query"] == "sample ratio mismatch"
    top = data["results"][0]
    assert set(top) == {
        "path",
        "title",
        "heading",
        "start_line",
        "end_line",
        "doc_type",
        "score",
        "snippet",
    }
    assert (top["path"], top["heading"], top["doc_type"]) == (
        "reports/srm.md",
        "Verdict",
        "experiment_report",
    )


def test_index_exits_3_and_names_each_skipped_file(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "docs" / "diagram.md").write_bytes(b"\x89PNG\x00\x00")
    (workspace / "docs" / "photo.jpg").write_bytes(b"\xff\xd8")
    code, out = _run(capsys, "index", "--workspace", str(workspace))
    assert code == 3
    assert "skipped docs/diagram.md: binary file (contains NUL bytes)" in " ".join(out.split())
    assert "ignored docs/photo.jpg" in out  # not documentation: listed, exit code unaffected


def test_search_filters_and_human_output(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "index", "--workspace", str(workspace), "--json")
    code, out = _run(
        capsys,
        "search",
        "quiet hours notifications",
        "--team",
        "growth",
        "--type",
        "design_doc",
        "--since",
        "2026-09-01",
        "--workspace",
        str(workspace),
    )
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("1. docs/notifications.md:") and "Quiet hours" in first
    assert "reports/srm.md" not in out  # an experiment_report, filtered out by --type


def test_a_bad_date_is_a_user_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "x", "--since", "last week", "--workspace", str(workspace)]) == 2
    assert "is not a date" in capsys.readouterr().err


def test_search_before_index_tells_how_to_build(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "x", "--workspace", str(workspace)]) == 2
    assert "lablens index" in capsys.readouterr().err


def test_search_engines_give_the_same_results(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "index", "--workspace", str(workspace), "--json")
    outputs = [
        _run(
            capsys,
            "search",
            "quiet hours for notification sends",
            "-k",
            "3",
            "--json",
            "--engine",
            engine,
            "--workspace",
            str(workspace),
        )
        for engine in ("auto", "mirror", "chroma")
    ]
    assert [code for code, _ in outputs] == [0, 0, 0]
    results = [json.loads(out)["results"] for _, out in outputs]
    assert results[0] == results[1] == results[2] and results[0]


def test_the_search_command_does_not_import_chromadb(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "index", "--workspace", str(workspace), "--json")
    code = (
        "import sys; from agent.cli import main;"
        f"rc = main(['search', 'sample ratio mismatch', '--json', '-w', {str(workspace)!r}]);"
        "print('chromadb' in sys.modules, rc, file=sys.stderr)"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo)},
        check=True,
    )
    assert out.stderr.split()[-2:] == ["False", "0"], out.stderr
    assert json.loads(out.stdout)["results"][0]["path"] == "reports/srm.md"
