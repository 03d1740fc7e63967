"""The document-level BM25 that lexical ranking adds to each chunk's own: what it changes, that
it follows every write, and that an index from before it existed upgrades itself without
re-embedding. Embeddings come from a loopback endpoint."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from indexes import doc_rows, state_db
from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.lexical import lexical_search
from indexes.search import search_index
from tests.docs.conftest import write
from tests.docs.embedding_server import EmbeddingServer

QUESTION = "exponential backoff with jitter under a retry budget"
FOUR = ("gpu", "oncall", "spread", "stray")


def _corpus(root: Path) -> Path:
    # spread.md answers the question with four of its words, one per section; stray.md has two
    # of them in a single paragraph and nothing else on the subject.
    write(
        root / "docs" / "spread.md",
        "# Calling other services\n\n## Waiting\n\nThe wait grows: exponential in the attempt "
        "number.\n\n## Spreading\n\nEach client adds jitter so that calls do not arrive in "
        "step.\n\n## Limits\n\nA budget caps the share of requests sent twice.\n\n"
        "## Pausing\n\nA backoff also follows every refusal.\n",
    )
    write(
        root / "docs" / "stray.md",
        "# Storage tiers\n\n## Cold tier\n\nA retry with backoff is what the archive job does "
        "when the tape robot is busy.\n\n## Hot tier\n\nSolid-state disks behind the cache.\n",
    )
    for name, topic in (("gpu", "accelerators"), ("oncall", "pager rotations")):
        write(root / "docs" / f"{name}.md", f"# About {topic}\n\nNotes on {topic} and costs.\n")
    return root


def _build(root: Path, spec: EmbedderSpec):  # type: ignore[no-untyped-def]
    return build_index([root / "docs"], root / ".lablens", embedder=spec, root=root)


def _lexical_paths(state: Path, doc_prior: float) -> list[str]:
    conn = state_db.open_state(state, readonly=True)
    try:
        ranked = lexical_search(conn, QUESTION, 10, doc_prior=doc_prior)
        path_of = dict(conn.execute("SELECT id, path FROM chunks").fetchall())
    finally:
        conn.close()
    return list(dict.fromkeys(path_of[cid] for cid, _ in ranked))


def _doc_rows(state: Path) -> list[tuple[int, str, str, str]]:
    conn = sqlite3.connect(state / state_db.DB_FILE)
    try:
        rows = conn.execute("SELECT rowid, path, title, body FROM docs_fts ORDER BY path")
        return [(int(r), str(p), str(t), str(b)) for r, p, t, b in rows.fetchall()]
    finally:
        conn.close()


def test_the_document_that_uses_the_questions_words_outranks_one_stray_chunk(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    root = _corpus(tmp_path / "ws")
    _build(root, loopback_spec)
    state = root / ".lablens"
    # Chunk BM25 alone: the stray paragraph holds two of the words, no section of spread.md
    # more than one.
    assert _lexical_paths(state, doc_prior=0.0)[0] == "docs/stray.md"
    assert _lexical_paths(state, doc_prior=1.0)[0] == "docs/spread.md"
    hits = search_index(QUESTION, state, embedder=loopback_spec, mode="lexical")
    assert hits[0].path == "docs/spread.md"


def test_document_rows_follow_changes_and_deletions(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    root = _corpus(tmp_path / "ws")
    _build(root, loopback_spec)
    state = root / ".lablens"
    assert [r[1] for r in _doc_rows(state)] == [f"docs/{n}.md" for n in FOUR]
    spread = root / "docs" / "spread.md"
    spread.write_text(spread.read_text().replace("every refusal", "a refusal, for a fortnight"))
    (root / "docs" / "stray.md").unlink()
    _build(root, loopback_spec)
    rows = _doc_rows(state)
    assert [r[1] for r in rows] == ["docs/gpu.md", "docs/oncall.md", "docs/spread.md"]
    assert "fortnight" in rows[2][3] and "every refusal" not in rows[2][3]
    assert rows[2][0] == doc_rows.doc_rowid("docs/spread.md")
    assert rows[2][2] == "Calling other services"


def test_an_index_without_document_rows_still_searches_and_upgrades_without_reembedding(
    tmp_path: Path, loopback_spec: EmbedderSpec, embedding_server: EmbeddingServer
) -> None:
    fresh = _corpus(tmp_path / "fresh")
    _build(fresh, loopback_spec)
    old = _corpus(tmp_path / "old")
    _build(old, loopback_spec)
    state = old / ".lablens"
    conn = sqlite3.connect(state / state_db.DB_FILE)
    conn.execute("DROP TABLE docs_fts")  # what an index written before the table existed has
    conn.commit()
    conn.close()
    # Searchable as it is, ranked on chunk BM25 alone until the next index run.
    assert _lexical_paths(state, doc_prior=1.0) == _lexical_paths(fresh / ".lablens", 0.0)
    assert search_index(QUESTION, state, embedder=loopback_spec)  # hybrid, too
    requests = embedding_server.requests
    summary = _build(old, loopback_spec)
    assert embedding_server.requests == requests  # nothing re-embedded
    assert (summary.files_indexed, summary.chunks_embedded) == (0, 0)
    assert any("Added 4 documents" in m for m in summary.messages), summary.messages
    assert _doc_rows(state) == _doc_rows(fresh / ".lablens")  # as if written at index time
    assert _lexical_paths(state, doc_prior=1.0)[0] == "docs/spread.md"
    again = _build(old, loopback_spec)
    assert not any("Added" in m for m in again.messages)


def test_the_chunk_to_document_map_follows_each_committed_change(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    root = _corpus(tmp_path / "ws")
    _build(root, loopback_spec)
    state = root / ".lablens"

    def current() -> tuple[dict[str, int], dict[str, int]]:
        conn = state_db.open_state(state, readonly=True)
        try:
            expected = {
                cid: doc_rows.doc_rowid(path)
                for cid, path in conn.execute("SELECT id, path FROM chunks").fetchall()
            }
            return state_db.chunk_doc_rowids(conn), expected
        finally:
            conn.close()

    got, expected = current()
    assert got == expected and len(got) > 4
    (root / "docs" / "gpu.md").write_text(
        "# About accelerators\n\nA new section.\n\n## More\n\nx\n"
    )
    _build(root, loopback_spec)
    got_after, expected_after = current()
    assert got_after == expected_after != expected  # not the cached map of the old state


def test_a_document_row_without_its_file_is_dropped_on_the_next_run(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    root = _corpus(tmp_path / "ws")
    _build(root, loopback_spec)
    state = root / ".lablens"
    conn = sqlite3.connect(state / state_db.DB_FILE)
    conn.execute(
        "INSERT INTO docs_fts (rowid, title, body, path) VALUES (?, 'Gone', 'jitter', 'gone.md')",
        (doc_rows.doc_rowid("gone.md"),),
    )
    conn.commit()
    conn.close()
    _build(root, loopback_spec)
    assert [r[1] for r in _doc_rows(state)] == [f"docs/{n}.md" for n in FOUR]
