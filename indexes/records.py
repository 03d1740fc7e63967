"""Index arbitrary text records (id, text, metadata) in a named Chroma collection and query
them densely with the same embedders as the doc index — e.g. table/column/metric summaries
and few-shot examples for NL→SQL.

    idx = RecordIndex(state_dir, "catalog")
    idx.sync([Record("table:users", "users: one row per user ...", {"kind": "table"})])
    idx.query("which table has signup dates?", k=3)

Only records whose text changed are re-embedded; a different embedder rebuilds the collection.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexes.embedders import Embedder, EmbedderSpec, resolve_embedder
from indexes.vector_store import VectorStore, open_client
from tools.errors import IndexingError

_HASH_KEY = "_text_sha"


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordHit:
    id: str
    text: str
    metadata: dict[str, Any]
    score: float  # cosine similarity, 1 is identical


class RecordIndex:
    def __init__(
        self,
        state_dir: Path,
        name: str,
        *,
        embedder: EmbedderSpec | Embedder | None = None,
        chroma_url: str | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,60}", name):
            raise IndexingError(f"Record index name {name!r} must be letters, digits, _ or -")
        self.embedder: Embedder = resolve_embedder(embedder)
        client = open_client(state_dir, chroma_url)
        self.store = VectorStore(
            client, f"lablens_records_{name}", metadata={"embedder": self.embedder.identity}
        )
        self.messages: list[str] = []
        recorded = (self.store.collection.metadata or {}).get("embedder")
        if recorded != self.embedder.identity:
            self.messages.append(
                f"Record index {name!r} was built with {recorded!r}; "
                f"rebuilding for {self.embedder.identity!r}."
            )
            self.store.drop()

    def upsert(self, records: Iterable[Record]) -> int:
        """Add or update records; returns how many were embedded (unchanged texts are not)."""
        records = _unique(records)
        if not records:
            return 0
        current = self.store.collection.get(ids=[r.id for r in records], include=["metadatas"])
        known = {
            i: dict(m or {}) for i, m in zip(current["ids"], current["metadatas"], strict=True)
        }
        todo = [r for r in records if known.get(r.id, {}).get(_HASH_KEY) != _sha(r)]
        relabel = [
            r
            for r in records
            if r not in todo and known[r.id] != {**r.metadata, _HASH_KEY: _sha(r)}
        ]
        if relabel:  # same text, new metadata: no need to embed again
            self.store.collection.update(
                ids=[r.id for r in relabel],
                metadatas=[{**r.metadata, _HASH_KEY: _sha(r)} for r in relabel],
            )
        if todo:
            vectors = self.embedder.embed_documents([r.text for r in todo])
            self.store.upsert(
                [r.id for r in todo],
                vectors,
                [r.text for r in todo],
                [{**r.metadata, _HASH_KEY: _sha(r)} for r in todo],
            )
        return len(todo)

    def sync(self, records: Iterable[Record]) -> int:
        """Make the collection hold exactly `records`; returns how many were embedded."""
        records = _unique(records)
        stale = self.store.all_ids() - {r.id for r in records}
        self.delete(sorted(stale))
        return self.upsert(records)

    def delete(self, ids: Iterable[str]) -> None:
        self.store.delete(list(ids))

    def count(self) -> int:
        return self.store.count()

    def query(self, text: str, k: int = 5, where: dict[str, Any] | None = None) -> list[RecordHit]:
        n = min(k, self.count())
        if n <= 0:
            return []
        vector = self.embedder.embed_query(text)
        return [
            RecordHit(
                i,
                doc,
                {key: v for key, v in meta.items() if key != _HASH_KEY},
                round(1.0 - dist, 6),
            )
            for i, dist, meta, doc in self.store.query(vector, n, where)
        ]


def _sha(record: Record) -> str:
    return hashlib.sha256(record.text.encode()).hexdigest()[:16]


def _unique(records: Iterable[Record]) -> list[Record]:
    by_id: dict[str, Record] = {}
    for r in records:
        by_id[r.id] = r  # the last one wins, as in a dict literal
    return list(by_id.values())
