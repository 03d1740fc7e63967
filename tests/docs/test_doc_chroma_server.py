"""Server mode: the same index and search through `chromadb.HttpClient` to `chroma run`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.search import dense_engine_in_use, search_index
from tests.docs.index_snapshot import snapshot

pytestmark = [pytest.mark.server, pytest.mark.timeout(180)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def chroma_url(tmp_path: Path) -> Iterator[str]:
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists() and shutil.which("chroma") is None:
        pytest.skip("the `chroma` CLI is not installed")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [
            str(exe if exe.exists() else "chroma"),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.skip(f"`chroma run` did not start: see {tmp_path / 'chroma.log'}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_index_and_search_through_a_chroma_server(
    small_corpus: Path, chroma_url: str, loopback_spec: EmbedderSpec
) -> None:
    state = small_corpus / ".lablens"
    first = build_index(
        [small_corpus / "docs", small_corpus / "reports"],
        state,
        embedder=loopback_spec,
        root=small_corpus,
        chroma_url=chroma_url,
    )
    again = build_index(
        [small_corpus / "docs", small_corpus / "reports"],
        state,
        embedder=loopback_spec,
        root=small_corpus,
        chroma_url=chroma_url,
    )
    assert (first.files_indexed, again.files_unchanged, again.chunks_embedded) == (4, 4, 0)
    assert not (state / "chroma").exists()  # nothing embedded locally
    hits = search_index(
        "sample ratio mismatch", state, embedder=loopback_spec, chroma_url=chroma_url, mode="dense"
    )
    assert hits[0].path == "reports/srm.md"
    snap = snapshot(state, chroma_url)
    assert len(snap["chroma"]) == first.chunks_total
    # The server is the only vector store: nothing is mirrored locally, searches go to it.
    assert snap["mirror"] == [] and dense_engine_in_use(state, chroma_url) == "chroma"


def test_an_unreachable_server_is_a_clear_error(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    from tools.errors import IndexingError

    with pytest.raises(IndexingError, match="Cannot reach the Chroma server"):
        build_index(
            [small_corpus / "docs"],
            small_corpus / ".lablens",
            embedder=loopback_spec,
            root=small_corpus,
            chroma_url=f"http://127.0.0.1:{_free_port()}",
        )
