"""Incremental indexing: unchanged files cost nothing, changes and deletions propagate to both
indexes, a new embedder forces a rebuild. Embeddings come from a loopback endpoint."""

from __future__ import annotations

from pathlib import Path

from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.search import search_index
from tests.docs.embedding_server import EmbeddingServer
from tests.docs.index_snapshot import snapshot


def _build(root: Path, spec: EmbedderSpec):  # type: ignore[no-untyped-def]
    return build_index(
        [root / "docs", root / "reports"], root / ".lablens", embedder=spec, root=root
    )


def test_first_run_indexes_every_file_with_relative_paths(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    s = _build(small_corpus, loopback_spec)
    assert (s.files_seen, s.files_indexed, s.skipped) == (4, 4, [])
    assert s.chunks_total == s.chunks_embedded > 0
    paths = {r[0] for r in snapshot(small_corpus / ".lablens")["files"]}
    assert paths == {"docs/ranker.md", "docs/notifications.md", "docs/notes.txt", "reports/srm.md"}


def test_unchanged_corpus_embeds_nothing(
    small_corpus: Path, loopback_spec: EmbedderSpec, embedding_server: EmbeddingServer
) -> None:
    _build(small_corpus, loopback_spec)
    before = embedding_server.requests
    s = _build(small_corpus, loopback_spec)
    assert embedding_server.requests == before
    assert (s.files_unchanged, s.files_indexed, s.chunks_embedded) == (4, 0, 0)


def test_changed_file_is_rechunked_and_only_it_is_embedded(
    small_corpus: Path, loopback_spec: EmbedderSpec, embedding_server: EmbeddingServer
) -> None:
    _build(small_corpus, loopback_spec)
    doc = small_corpus / "docs" / "ranker.md"
    doc.write_text(
        doc.read_text().replace("uniform random negatives", "hard negatives mined from PageRank")
    )
    inputs = embedding_server.inputs
    s = _build(small_corpus, loopback_spec)
    assert (s.files_indexed, s.files_unchanged) == (1, 3)
    assert embedding_server.inputs - inputs == s.chunks_embedded
    hits = search_index(
        "PageRank", small_corpus / ".lablens", embedder=loopback_spec, mode="lexical"
    )
    assert [h.path for h in hits] == ["docs/ranker.md"]
    assert (
        search_index("uniform", small_corpus / ".lablens", embedder=loopback_spec, mode="lexical")
        == []
    )


def test_deleted_file_leaves_both_indexes(small_corpus: Path, loopback_spec: EmbedderSpec) -> None:
    _build(small_corpus, loopback_spec)
    (small_corpus / "reports" / "srm.md").unlink()
    s = _build(small_corpus, loopback_spec)
    assert s.files_deleted == 1
    snap = snapshot(small_corpus / ".lablens")
    assert all(m["path"] != "reports/srm.md" for _, _, m, _ in snap["chroma"])
    assert all(row[1] != "reports/srm.md" for row in snap["chunks"])
    assert len(snap["fts"]) == len(snap["chunks"]) == len(snap["chroma"])


def test_indexing_a_subfolder_keeps_the_other_folders(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _build(small_corpus, loopback_spec)
    s = build_index(
        [small_corpus / "reports"],
        small_corpus / ".lablens",
        embedder=loopback_spec,
        root=small_corpus,
    )
    assert (s.files_deleted, s.files_unchanged) == (0, 1)
    assert len(snapshot(small_corpus / ".lablens")["files"]) == 4


def test_a_different_embedder_forces_a_clean_rebuild(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _build(small_corpus, loopback_spec)
    other = EmbedderSpec(
        provider="openai", model="hashed-64-v2", base_url=loopback_spec.base_url, api_key="test"
    )
    s = _build(small_corpus, other)
    assert s.rebuilt and s.files_indexed == 4
    assert s.messages[0].startswith("Rebuilding the index beside the one in use (the embedding")
    assert "hashed-64-v2" in s.messages[0]
    assert "kept" in s.messages[-1]  # the old index stays on disk for a return to that setting


def test_skipped_files_do_not_stop_the_run_and_leave_the_index(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _build(small_corpus, loopback_spec)
    (small_corpus / "docs" / "notes.txt").write_bytes(b"\xff\xfe broken")
    (small_corpus / "docs" / "blob.md").write_bytes(b"\x00\x01\x02")
    s = _build(small_corpus, loopback_spec)
    assert sorted((x.path, x.reason.split(" (")[0]) for x in s.skipped) == [
        ("docs/blob.md", "binary file"),
        ("docs/notes.txt", "not valid UTF-8"),
    ]
    assert "docs/notes.txt" not in {r[0] for r in snapshot(small_corpus / ".lablens")["files"]}


def test_progress_reports_scanning_then_embedding_then_done(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    events: list[tuple[str, int, int, int]] = []
    s = build_index(
        [small_corpus / "docs", small_corpus / "reports"],
        small_corpus / ".lablens",
        embedder=loopback_spec,
        root=small_corpus,
        progress=lambda e: events.append((e.stage, e.files_done, e.chunks, e.embedded)),
    )
    stages = [e[0] for e in events]
    assert stages[0] == "scan" and stages[-1] == "done" and "embed" in stages
    assert events[-1] == ("done", 4, s.chunks_embedded, s.chunks_embedded)
    embedded = [e[3] for e in events if e[0] == "file"]
    assert embedded == sorted(embedded) and embedded[-1] == s.chunks_embedded
