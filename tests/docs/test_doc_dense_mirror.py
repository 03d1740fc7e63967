"""The exact-search mirror: an embedded index keeps every chunk vector in its SQLite state too,
searches answer the dense leg from it without importing chromadb, it ranks exactly like Chroma,
follows every change and repair, and an index built before it existed still works."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexes.build import build_index
from indexes.dense_mirror import Mirror, build_mirror, nearest_ids, vectors_blob
from indexes.search import SearchFilters, dense_engine_in_use, search_index
from indexes.state_db import DB_FILE
from indexes.vector_store import DOCS_COLLECTION, open_client
from tests.docs.conftest import write
from tests.docs.index_snapshot import snapshot
from tests.docs.word_vector_embedder import WordVectorEmbedder
from tools.errors import IndexingError

REPO = Path(__file__).resolve().parents[2]
WORDS = [
    "ranker",
    "candidates",
    "negatives",
    "embedding",
    "refresh",
    "pipeline",
    "alias",
    "flip",
    "notification",
    "quiet",
    "hours",
    "sample",
    "ratio",
    "mismatch",
    "backfill",
    "feature",
    "store",
    "latency",
    "budget",
    "rollout",
    "guardrail",
    "holdout",
    "variance",
    "cuped",
    "retrieval",
    "tower",
    "logq",
    "shard",
    "replica",
    "cache",
    "warmup",
]
QUERIES = [
    "embedding refresh pipeline",
    "sample ratio mismatch in the holdout",
    "ranker negatives with logq",
    "feature store backfill latency",
    "quiet hours",
    "cache warmup on replica shards",
    "guardrail metrics for a rollout",
]


class CountingEmbedder(WordVectorEmbedder):
    def __init__(self) -> None:
        self.embedded = 0

    def embed_documents(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed_documents(texts)


def _corpus(root: Path, n_files: int = 24, seed: int = 5) -> Path:
    rng = random.Random(seed)
    for f in range(n_files):
        sections = "\n\n".join(
            f"## Part {s}\n\n" + " ".join(rng.choices(WORDS, k=30)) + "."
            for s in range(rng.randint(2, 4))
        )
        write(
            root / "docs" / f"doc{f:02d}.md",
            f"---\nteam: {('ranking', 'growth')[f % 2]}\n---\n# Doc {f}\n\n{sections}\n",
        )
    return root


def _build(root: Path, emb: WordVectorEmbedder | None = None):  # type: ignore[no-untyped-def]
    return build_index(
        [root / "docs"], root / ".lablens", embedder=emb or WordVectorEmbedder(), root=root
    )


def _dense_ids(state: Path, query: str, engine: str, **kw: object) -> list[str]:
    return [
        h.chunk_id
        for h in search_index(
            query,
            state,
            mode="dense",
            k=500,
            max_per_file=99,
            embedder=WordVectorEmbedder(),
            engine=engine,
            **kw,
        )
    ]  # type: ignore[arg-type]


def _chroma_vectors(state: Path) -> dict[str, list[float]]:
    got = open_client(state).get_collection(DOCS_COLLECTION).get(include=["embeddings"])
    return {i: list(map(float, e)) for i, e in zip(got["ids"], got["embeddings"], strict=True)}


def _chunk_ids(state: Path) -> set[str]:
    conn = sqlite3.connect(state / DB_FILE)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM chunks")}
    finally:
        conn.close()


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return _corpus(tmp_path / "ws")


def test_nearest_ids_ranks_by_cosine_then_row_within_allowed_paths() -> None:
    mirror = build_mirror(
        "t",
        [
            ("p", "a\nc\ne", vectors_blob(np.array([[-1, 0], [1, 1], [1, 0]], np.float32))),
            ("q", "b\nd", vectors_blob(np.array([[2, 2], [0, 1]], np.float32))),
        ],
    )
    assert isinstance(mirror, Mirror)
    query = np.array([1.0, 0.9], np.float32)
    assert nearest_ids(mirror, query, 5) == ["c", "b", "e", "d", "a"]  # c, b: same direction
    assert nearest_ids(mirror, query, 1) == ["c"]  # a tie at the cut goes to the earlier row
    assert nearest_ids(mirror, query, 2, ["p"]) == ["c", "e"]
    assert nearest_ids(mirror, query, 9, ["q", "nowhere"]) == ["b", "d"]
    assert nearest_ids(mirror, query, 3, ["nowhere"]) == []


def test_a_mirror_whose_blobs_do_not_match_their_ids_is_refused() -> None:
    assert build_mirror("t", [("p", "a", b"\0" * 8), ("q", "b", b"\0" * 12)]) is None
    assert build_mirror("t", [("p", "a\nb", b"\0" * 12)]) is None


def test_the_mirror_holds_each_chunk_vector_once_as_chroma_does(corpus: Path) -> None:
    _build(corpus)
    state = corpus / ".lablens"
    mirror = {i: v for i, _, v in snapshot(state)["mirror"]}
    chroma = _chroma_vectors(state)
    assert set(mirror) == set(chroma) == _chunk_ids(state)
    for cid, vec in chroma.items():
        assert np.allclose(mirror[cid], np.asarray(vec) / np.linalg.norm(vec), atol=1e-5)
    assert dense_engine_in_use(state) == "mirror"


def test_mirror_and_chroma_rank_every_chunk_identically(corpus: Path) -> None:
    _build(corpus)
    state = corpus / ".lablens"
    n = len(_chunk_ids(state))
    for query in QUERIES:
        exact = _dense_ids(state, query, "mirror")
        assert len(exact) == n
        assert exact == _dense_ids(state, query, "chroma"), query
        growth = SearchFilters(team="growth")
        assert _dense_ids(state, query, "mirror", filters=growth) == _dense_ids(
            state, query, "chroma", filters=growth
        ), query


def test_hybrid_results_are_the_same_through_either_engine(corpus: Path) -> None:
    _build(corpus)
    state = corpus / ".lablens"
    for query in QUERIES:
        by_engine = [
            [
                (h.chunk_id, h.score)
                for h in search_index(
                    query, state, k=8, embedder=WordVectorEmbedder(), engine=engine
                )
            ]
            for engine in ("auto", "mirror", "chroma")
        ]
        assert by_engine[0] == by_engine[1] == by_engine[2], query


def test_an_embedded_search_does_not_import_chromadb(corpus: Path) -> None:
    _build(corpus)
    code = (
        "import sys; from pathlib import Path; from indexes.search import search_index;"
        "from tests.docs.word_vector_embedder import WordVectorEmbedder;"
        f"hits = search_index('embedding refresh', Path({str(corpus / '.lablens')!r}),"
        " embedder=WordVectorEmbedder());"
        "print(len(hits), any(h.dense_rank for h in hits), 'chromadb' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert out.stdout.split() == ["5", "True", "False"], out.stderr


def test_changes_and_deletions_reach_the_mirror_and_a_warm_process_sees_them(corpus: Path) -> None:
    _build(corpus)
    state = corpus / ".lablens"
    before = _dense_ids(state, "quiet hours", "mirror")  # caches this state's mirror
    deleted = {i for i, p, _ in snapshot(state)["mirror"] if p == "docs/doc03.md"}
    (corpus / "docs" / "doc03.md").unlink()
    write(corpus / "docs" / "doc05.md", "# Doc 5\n\n## Quiet hours\n\nquiet hours quiet hours\n")
    summary = _build(corpus)
    assert (summary.files_deleted, summary.files_indexed) == (1, 1)
    snap = snapshot(state)
    mirrored = {i for i, _, _ in snap["mirror"]}
    assert mirrored == set(_chroma_vectors(state)) == _chunk_ids(state)
    assert not deleted & mirrored
    after = _dense_ids(state, "quiet hours", "mirror")
    assert after != before and not deleted & set(after)
    top = search_index("quiet hours", state, mode="dense", embedder=WordVectorEmbedder())[0]
    assert (top.path, top.heading) == ("docs/doc05.md", "Quiet hours")
    assert after == _dense_ids(state, "quiet hours", "chroma")


def test_an_index_without_a_mirror_searches_through_chroma_then_gets_it_filled(
    tmp_path: Path,
) -> None:
    old = _corpus(tmp_path / "old")
    _build(old)
    state = old / ".lablens"
    conn = sqlite3.connect(state / DB_FILE)
    conn.execute("DROP TABLE file_vectors")  # as lablens left it before the mirror existed
    conn.commit()
    conn.close()
    assert dense_engine_in_use(state) == "chroma"
    hits = search_index("embedding refresh", state, embedder=WordVectorEmbedder())
    assert hits and any(h.dense_rank for h in hits)
    with pytest.raises(IndexingError, match="no complete exact-search mirror"):
        search_index("embedding refresh", state, embedder=WordVectorEmbedder(), engine="mirror")

    emb = CountingEmbedder()
    summary = _build(old, emb)
    assert emb.embedded == 0 and summary.files_unchanged == 24
    assert summary.mirror_filled == summary.chunks_total > 0
    assert "nothing re-embedded" in summary.messages[0]
    assert dense_engine_in_use(state) == "mirror"
    fresh = _corpus(tmp_path / "fresh")
    _build(fresh)
    assert snapshot(state) == snapshot(fresh / ".lablens")
    assert _dense_ids(state, "quiet hours", "mirror") == _dense_ids(state, "quiet hours", "chroma")


def test_a_mirror_row_without_its_chunk_is_distrusted_then_removed_by_the_next_run(
    tmp_path: Path,
) -> None:
    crashed = _corpus(tmp_path / "crashed")
    _build(crashed)
    state = crashed / ".lablens"
    conn = sqlite3.connect(state / DB_FILE)
    # Vectors of a file that is not in the manifest (the writers commit both together, so only
    # an outside edit or a damaged file leaves them).
    conn.execute(
        "INSERT INTO file_vectors VALUES ('docs/gone.md', 'stray', ?)",
        (vectors_blob(np.ones((1, 48), np.float32)),),
    )
    conn.commit()
    conn.close()
    assert dense_engine_in_use(state) == "chroma"  # counts disagree: the mirror is not trusted
    summary = _build(crashed)
    assert summary.repaired_ids == 1
    fresh = _corpus(tmp_path / "fresh")
    _build(fresh)
    assert snapshot(state) == snapshot(fresh / ".lablens")
    assert dense_engine_in_use(state) == "mirror"


def test_a_partly_filled_mirror_is_completed_from_chroma_on_the_next_run(tmp_path: Path) -> None:
    ws = _corpus(tmp_path / "ws")
    _build(ws)
    state = ws / ".lablens"
    conn = sqlite3.connect(state / DB_FILE)
    # What a fill killed after its first pages leaves: some files mirrored, the others not.
    missing = conn.execute(
        "SELECT COUNT(*) FROM chunks WHERE path IN "
        "('docs/doc01.md', 'docs/doc07.md', 'docs/doc20.md')"
    ).fetchone()[0]
    conn.execute(
        "DELETE FROM file_vectors WHERE path IN ('docs/doc01.md', 'docs/doc07.md', 'docs/doc20.md')"
    )
    conn.commit()
    conn.close()
    assert dense_engine_in_use(state) == "chroma"
    emb = CountingEmbedder()
    assert _build(ws, emb).mirror_filled == missing > 0 and emb.embedded == 0
    fresh = _corpus(tmp_path / "fresh")
    _build(fresh)
    assert snapshot(state) == snapshot(fresh / ".lablens")
    assert dense_engine_in_use(state) == "mirror"
