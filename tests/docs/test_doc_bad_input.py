"""Bad docs paths: a folder that is a symlink loop, a path that does not exist, a folder that
cannot be listed — a clear reason, and nothing indexed from there before is lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent.cli import main
from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.search import search_index
from tests.docs.embedding_server import EmbeddingServer
from tests.docs.index_snapshot import snapshot


def _index(root: Path, spec: EmbedderSpec):  # type: ignore[no-untyped-def]
    return build_index(
        [root / "docs", root / "reports"], root / ".lablens", embedder=spec, root=root
    )


def test_a_missing_docs_path_is_reported_and_its_files_stay_indexed(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _index(small_corpus, loopback_spec)
    before = snapshot(small_corpus / ".lablens")
    (small_corpus / "reports").rename(small_corpus / "reports-moved")  # e.g. a mount went away
    s = _index(small_corpus, loopback_spec)
    assert [(x.path, x.reason) for x in s.skipped] == [("reports", "path does not exist")]
    assert s.files_deleted == 0
    assert snapshot(small_corpus / ".lablens") == before
    hits = search_index("sample ratio mismatch", small_corpus / ".lablens", embedder=loopback_spec)
    assert hits[0].path == "reports/srm.md"


def test_a_docs_folder_that_is_a_symlink_loop_loses_nothing(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _index(small_corpus, loopback_spec)
    before = snapshot(small_corpus / ".lablens")
    (small_corpus / "reports").rename(small_corpus / "reports-real")
    (small_corpus / "reports").symlink_to(small_corpus / "reports")  # points at itself
    s = _index(small_corpus, loopback_spec)
    assert [x.path for x in s.skipped] == ["reports"]
    assert s.skipped[0].reason.startswith("symlink loop")
    assert s.files_deleted == 0 and snapshot(small_corpus / ".lablens") == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists folders whatever their mode")
def test_an_unlistable_folder_keeps_its_files(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _index(small_corpus, loopback_spec)
    (small_corpus / "reports").chmod(0)
    try:
        s = _index(small_corpus, loopback_spec)
    finally:
        (small_corpus / "reports").chmod(0o755)
    assert s.files_deleted == 0 and s.skipped[0].reason.startswith("cannot list folder")


def test_the_cli_names_the_missing_path_and_exits_3(
    small_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with EmbeddingServer() as server:
        (small_corpus / "lablens.toml").write_text(
            '[docs]\npaths = ["docs", "no-such-folder"]\n\n[embeddings]\nprovider = "openai"\n'
            f'model = "hashed-64"\nbase_url = "{server.base_url}"\napi_key = "k"\n'
        )
        code = main(["index", "--json", "--workspace", str(small_corpus)])
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    assert {"path": "no-such-folder", "reason": "path does not exist"} in data["skipped"]
