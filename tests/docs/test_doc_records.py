"""RecordIndex: arbitrary text records in a named Chroma collection, queried densely."""

from __future__ import annotations

from pathlib import Path

from indexes.embedders import EmbedderSpec
from indexes.records import Record, RecordIndex
from tests.docs.embedding_server import EmbeddingServer

RECORDS = [
    Record("table:users", "users table: signup date, country, platform", {"kind": "table"}),
    Record("table:pins", "pins table: category, creator, quality score", {"kind": "table"}),
    Record("metric:saves", "saves per user: mean saves per active user", {"kind": "metric"}),
]


def test_records_are_queried_by_meaning_and_filtered_by_metadata(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    idx = RecordIndex(tmp_path, "catalog", embedder=loopback_spec)
    assert idx.upsert(RECORDS) == 3
    hits = idx.query("which table has the signup date and country", k=2)
    assert hits[0].id == "table:users" and hits[0].metadata == {"kind": "table"}
    only_metrics = idx.query("users", k=3, where={"kind": "metric"})
    assert [h.id for h in only_metrics] == ["metric:saves"]


def test_unchanged_records_are_not_embedded_again_and_sync_removes_stale_ones(
    tmp_path: Path, loopback_spec: EmbedderSpec, embedding_server: EmbeddingServer
) -> None:
    idx = RecordIndex(tmp_path, "catalog", embedder=loopback_spec)
    idx.upsert(RECORDS)
    inputs = embedding_server.inputs
    changed = [RECORDS[0], Record("table:pins", "pins: category and video flag", {"kind": "table"})]
    assert idx.sync(changed) == 1
    assert embedding_server.inputs - inputs == 1
    assert idx.count() == 2
    relabelled = [Record("table:users", RECORDS[0].text, {"kind": "dimension"})]
    assert idx.upsert(relabelled) == 0  # metadata-only change: no embedding
    assert idx.query("signup", k=1)[0].metadata == {"kind": "dimension"}


def test_a_new_embedder_rebuilds_the_collection(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    RecordIndex(tmp_path, "examples", embedder=loopback_spec).upsert(RECORDS)
    other = EmbedderSpec(provider="openai", model="v2", base_url=loopback_spec.base_url)
    idx = RecordIndex(tmp_path, "examples", embedder=other)
    assert idx.count() == 0 and "rebuilding" in idx.messages[0]
