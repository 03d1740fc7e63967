"""A team's shared index on one `chroma run` server: another workspace with only the URL sees
the writer's results (lexical half and manifest included), searchers running while a writer
indexes always get consistent hits, a second writer is refused, an unreachable server is a
clear error after bounded retries, and a server dying mid-index leaves a consistent index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexes import shared_index
from indexes.build import build_index
from indexes.search import Hit, search_index
from indexes.vector_store import ServerUnavailable, close_clients, open_client
from tests.docs.chroma_server import ChromaServer, free_port
from tests.docs.conftest import make_small_corpus, write
from tests.docs.index_snapshot import snapshot
from tests.docs.word_vector_embedder import WordVectorEmbedder
from tools.errors import IndexingError

pytestmark = [pytest.mark.server, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]
EMB = WordVectorEmbedder()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    srv = ChromaServer(tmp_path_factory.mktemp("chroma") / "data").start()
    try:
        yield srv
    finally:
        close_clients()
        srv.stop()


def _index(root: Path, url: str, collection: str, **kw: object) -> object:
    return build_index(
        [root / "docs", root / "reports"],
        root / ".lablens",
        embedder=EMB,
        root=root,
        chroma_url=url,
        collection=collection,
        **kw,  # type: ignore[arg-type]
    )


def _key(hits: list[Hit]) -> list[tuple[str, int, int, str, float]]:
    return [(h.path, h.start_line, h.end_line, h.chunk_id, round(h.score, 9)) for h in hits]


def _topic_doc(root: Path, n: int) -> None:
    write(
        root / "docs" / f"topic{n:03d}.md",
        f"# Topic {n}\n\n## Overview\n\nThe zorb{n} pipeline feeds candidate pins.\n\n"
        f"## Details\n\nBackfill of zorb{n} features runs nightly with retries.\n",
    )


def test_a_second_workspace_with_only_the_url_sees_the_writers_results(
    server: ChromaServer, tmp_path: Path
) -> None:
    writer = make_small_corpus(tmp_path / "writer")
    _index(writer, server.url, "same")
    reader_state = tmp_path / "reader" / ".lablens"  # nothing but the URL: no docs, no index
    queries = ["sample ratio mismatch", "quiet hours notifications", "two-tower negatives"]
    for mode in ("hybrid", "lexical", "dense"):
        for q in queries:
            mine = search_index(
                q, writer / ".lablens", chroma_url=server.url, embedder=EMB, mode=mode,
                collection="same",
            )  # fmt: skip
            theirs = search_index(
                q, reader_state, chroma_url=server.url, embedder=EMB, mode=mode,
                collection="same",
            )  # fmt: skip
            assert mine and _key(mine) == _key(theirs), (mode, q)
    # The lexical half is really there for the reader (BM25 ranks, not only dense ones).
    lexical = search_index(
        "sample ratio mismatch", reader_state, chroma_url=server.url, embedder=EMB,
        mode="lexical", collection="same",
    )  # fmt: skip
    assert lexical[0].path == "reports/srm.md" and lexical[0].lexical_rank == 1
    assert sorted(p.name for p in reader_state.iterdir()) == ["shared"]


def test_a_workspace_searching_before_anything_is_published_is_told_so(
    server: ChromaServer, tmp_path: Path
) -> None:
    with pytest.raises(
        IndexingError, match=f"No documentation index .* on 127.0.0.1:{server.port}"
    ):
        search_index("x", tmp_path / ".lablens", chroma_url=server.url, collection="nothing")


def test_a_second_writer_is_refused_with_the_holders_name(
    server: ChromaServer, tmp_path: Path
) -> None:
    first = make_small_corpus(tmp_path / "first")
    second = make_small_corpus(tmp_path / "second")
    client = open_client(first / ".lablens", server.url)
    with shared_index.server_lock(client, "locked"):
        with pytest.raises(IndexingError, match=r"Another index run \(.*@.*, pid \d+\)") as err:
            _index(second, server.url, "locked")
        assert f"127.0.0.1:{server.port}" in err.value.message
        assert "lease expires" in (err.value.hint or "")
    summary = _index(second, server.url, "locked")  # released: the next writer goes ahead
    assert summary.files_indexed == 4  # type: ignore[attr-defined]


def test_a_lock_left_by_a_dead_writer_is_taken_over(server: ChromaServer, tmp_path: Path) -> None:
    import socket

    ws = make_small_corpus(tmp_path / "ws")
    col = open_client(ws / ".lablens", server.url).get_or_create_collection(
        "stale" + shared_index.STATE_SUFFIX, embedding_function=None
    )
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    lease = {"owner": "ana@elsewhere", "host": socket.gethostname(), "token": "t"}
    col.upsert(
        ids=["lock"],
        embeddings=[[1.0]],
        metadatas=[{**lease, "pid": int(dead.stdout), "until": time.time() + 600}],
        documents=["writer lock"],
    )
    assert _index(ws, server.url, "stale").files_indexed == 4  # type: ignore[attr-defined]


SEARCHER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from indexes.search import search_index
    from tests.docs.word_vector_embedder import WordVectorEmbedder

    state, url, root, stop, out, last = sys.argv[1:]
    emb, queries = WordVectorEmbedder(), ["candidate pins pipeline", "nightly backfill retries",
                                          "sample ratio mismatch", "quiet hours"]
    searches, bad, errors, after_stop, final = 0, [], [], 0, []
    while after_stop < 3:
        stopping = Path(stop).exists()
        for q in queries + ([last] if stopping else []):
            try:
                hits = search_index(q, Path(state), chroma_url=url, embedder=emb,
                                    collection="busy", k=5)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            searches += 1
            for h in hits:
                lines = (Path(root) / h.path).read_text().splitlines()
                region = "\\n".join(lines[h.start_line - 1 : h.end_line])
                if not h.text.strip() or h.text.strip() not in region:
                    bad.append([h.path, h.start_line, h.end_line, h.text[:80]])
            if q == last:
                final = [h.path for h in hits]
        after_stop += stopping
    Path(out).write_text(json.dumps(
        {"searches": searches, "bad": bad, "errors": errors, "final": final}))
    """
)


def test_four_searchers_while_one_indexes_get_consistent_results(
    server: ChromaServer, tmp_path: Path
) -> None:
    writer = make_small_corpus(tmp_path / "writer")
    for n in range(10):
        _topic_doc(writer, n)
    _index(writer, server.url, "busy")
    reader = tmp_path / "reader" / ".lablens"
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                SEARCHER,
                str(reader),
                server.url,
                str(writer),
                str(stop),
                str(tmp_path / f"out{i}.json"),
                "zorb59 features backfill",
            ],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    try:
        for batch in (range(10, 30), range(30, 60)):  # two runs, each publishing mid-search
            for n in batch:
                _topic_doc(writer, n)
            summary = _index(writer, server.url, "busy", embed_group=8)
            assert summary.files_indexed == len(batch)  # type: ignore[attr-defined]
    finally:
        stop.touch()
        outs = [p.communicate(timeout=120)[1] for p in procs]
    for i, proc in enumerate(procs):
        assert proc.returncode == 0, outs[i].decode()[-2000:]
        got = json.loads((tmp_path / f"out{i}.json").read_text())
        assert got["errors"] == [] and got["bad"] == []
        assert got["searches"] >= 12
        # After the last run was published every searcher sees its files.
        assert got["final"][0] == "docs/topic059.md"


def test_an_unreachable_server_names_host_and_port_and_exits_2(tmp_path: Path) -> None:
    port = free_port()
    ws = tmp_path / "ws"
    write(ws / "lablens.toml", f'[docs]\nchroma_url = "http://127.0.0.1:{port}"\n')
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "search", "quiet hours", "--workspace", str(ws)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    elapsed = time.monotonic() - started
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert f"127.0.0.1:{port}" in out and "after 4 attempts" in out
    assert elapsed >= 3.5  # the back-off waited 0.5 + 1 + 2 s before giving up


def test_a_server_dying_mid_index_is_a_clean_error_and_the_index_stays_consistent(
    tmp_path: Path,
) -> None:
    srv = ChromaServer(tmp_path / "dying").start()
    root = make_small_corpus(tmp_path / "ws")
    try:
        _index(root, srv.url, "docs")
        before = search_index("quiet hours", root / ".lablens", chroma_url=srv.url, embedder=EMB,
                              collection="docs")  # fmt: skip
        for n in range(40):
            _topic_doc(root, n)
        seen: list[str] = []

        def kill_after_first_file(event: object) -> None:
            if getattr(event, "stage", "") == "file":
                seen.append(str(getattr(event, "path", "")))
                if len(seen) == 1:
                    srv.kill()

        with pytest.raises(ServerUnavailable, match=f"127.0.0.1:{srv.port} stopped answering"):
            _index(root, srv.url, "docs", embed_group=8, progress=kill_after_first_file)
        close_clients()
        srv.start()  # back up on the same data folder and port
        # Readers still get the last published snapshot, exactly as before the failed run.
        again = search_index("quiet hours", tmp_path / "reader" / ".lablens", chroma_url=srv.url,
                             embedder=EMB, collection="docs")  # fmt: skip
        assert _key(again) == _key(before)
        resumed = _index(root, srv.url, "docs")
        assert resumed.files_indexed + resumed.files_unchanged == 44  # type: ignore[attr-defined]
        snap = snapshot(root / ".lablens", srv.url)
        state_ids = sorted(row[0] for row in snap["chunks"])
        assert sorted(cid for cid, *_ in snap["chroma"]) == state_ids  # nothing orphaned
        hits = search_index("zorb39 backfill", tmp_path / "reader" / ".lablens",
                            chroma_url=srv.url, embedder=EMB, collection="docs")  # fmt: skip
        assert hits[0].path == "docs/topic039.md"
    finally:
        close_clients()
        srv.stop()
