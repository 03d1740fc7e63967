"""Messages people and scripts can trust: UTF-16/32 text is indexed, failures under --json are
JSON objects on stdout, and file content never sends control characters to the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from indexes.loaders import Document, Skipped, SourceFile, load_document
from tests.docs.conftest import write
from tests.docs.embedding_server import EmbeddingServer

TEXT = "# Café notes\n\nThe ranker uses two towers.\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_encodings_are_indexed_like_utf8(tmp_path: Path, codec: str) -> None:
    p = tmp_path / "notes.md"
    p.write_bytes(TEXT.encode(codec))  # "utf-16"/"utf-32" write a BOM, -le/-be do not
    doc = load_document(SourceFile(p, "notes.md"))
    assert isinstance(doc, Document), doc
    assert doc.text == TEXT


def test_truncated_utf16_is_skipped_with_a_reason(tmp_path: Path) -> None:
    p = tmp_path / "bad.md"
    p.write_bytes("# ab\n".encode("utf-16-le")[:-1] + b"\x00\x00\xd8")
    result = load_document(SourceFile(p, "bad.md"))
    assert isinstance(result, Skipped) and result.reason


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(
        root / "docs" / "evil.md",
        "# Evil \x1b[2J\x07doc\n\n## Part \x1b]0;owned\x07\n\nranker text with \x1b[31mred\r"
        "and a bell\x07 here.\n",
    )
    return root


def _configure(root: Path, server: EmbeddingServer) -> None:
    (root / "lablens.toml").write_text(
        '[docs]\npaths = ["docs"]\n\n[embeddings]\nprovider = "openai"\n'
        f'model = "hashed-64"\nbase_url = "{server.base_url}"\napi_key = "k"\n'
    )


def test_search_output_holds_no_control_characters(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with EmbeddingServer() as server:
        _configure(workspace, server)
        assert main(["index", "--workspace", str(workspace)]) == 0
        capsys.readouterr()
        assert main(["search", "ranker text red bell", "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "docs/evil.md" in out and "ranker text" in out
    assert not any(c in out for c in "\x1b\x07\r\x00")


def test_a_crash_under_json_is_a_json_error_on_stdout(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexes.build

    def crash(*_a: object, **_k: object) -> None:  # stands for any bug inside the indexer
        raise RuntimeError("boom")

    monkeypatch.setattr(indexes.build, "build_index", crash)
    (workspace / "lablens.toml").write_text('[docs]\npaths = ["docs"]\n')
    assert main(["index", "--json", "--workspace", str(workspace)]) == 70
    data = json.loads(capsys.readouterr().out)
    assert data["error"] == "Internal error" and "RuntimeError: boom" in data["message"]


def test_a_user_error_under_json_is_a_json_error_on_stdout(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "lablens.toml").write_text('[docs]\npaths = ["docs"]\n')
    assert main(["search", "x", "--json", "--until", "soon", "--workspace", str(workspace)]) == 2
    data = json.loads(capsys.readouterr().out)
    assert "is not a date" in data["message"]
