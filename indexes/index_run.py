"""One pass over the documentation files, streamed: each file is read, chunked, embedded (in
groups of about EMBED_GROUP chunks) and recorded before later files are read, so memory stays
flat in the number of files, and every committed group survives an interruption.

Isolation: whatever goes wrong with one file (reading, parsing, chunking, embedding, storing)
skips that file with a one-line reason; only an embedder that stops answering altogether ends
the run, because then every later file would fail the same way.

Order of writes for a changed file (vectors are computed first, so a failure keeps the old
version): 1. forget the old version in SQLite, 2. delete its old vectors from Chroma,
3. upsert the new vectors, 4. record the new version (manifest row last, one transaction).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexes import state_db
from indexes.chunking import Chunk, ChunkingOptions, chunk_document
from indexes.display_text import printable
from indexes.embedders import Embedder
from indexes.loaders import (
    Document,
    Skipped,
    SourceFile,
    discover,
    parse_document,
    read_bytes,
    relative_key,
)
from indexes.vector_store import ServerUnavailable, VectorStore
from tools.errors import LablensError

EMBED_GROUP = 256  # chunks embedded per call: big enough for length-sorted batching
_WHY_MAX = 160  # characters of an error message kept in a skip reason


@dataclass
class ProgressEvent:
    stage: str  # scan (reading files) | embed (a group) | file (one recorded) | done
    files_total: int = 0
    files_done: int = 0
    chunks: int = 0  # chunks of new or changed files found so far this run
    embedded: int = 0
    skipped: int = 0
    path: str = ""
    started: float = field(default_factory=time.monotonic)


@dataclass
class IndexSummary:
    files_seen: int = 0
    files_indexed: int = 0  # new or changed, embedded this run
    files_unchanged: int = 0
    files_deleted: int = 0
    chunks_total: int = 0  # chunks in the index after the run
    chunks_embedded: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # supported files that failed
    ignored: list[Skipped] = field(default_factory=list)  # not documentation (file type)
    warnings: list[Skipped] = field(default_factory=list)  # indexed, with something not understood
    repaired_ids: int = 0  # leftovers of an interrupted run removed on start
    mirror_filled: int = 0  # vectors copied from Chroma into the exact-search mirror
    rebuilt: bool = False
    messages: list[str] = field(default_factory=list)
    embedder: str = ""
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("skipped", "ignored", "warnings"):
            data[key] = [{"path": s.path, "reason": s.reason} for s in getattr(self, key)]
        return data


ProgressFn = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class RunSettings:
    paths: list[Path]
    root: Path | None
    max_bytes: int
    notify: ProgressFn
    embed_group: int = EMBED_GROUP
    mirror: bool = True  # embedded index: keep the exact-search copy of the vectors


@dataclass
class _Pending:
    items: list[tuple[Document, list[Chunk]]] = field(default_factory=list)
    chunks: int = 0


def run_files(
    conn: Any,
    store: VectorStore,
    emb: Embedder,
    opts: ChunkingOptions,
    run: RunSettings,
    summary: IndexSummary,
) -> None:
    files, skipped, protected = discover(run.paths, run.root)
    for s in skipped:
        (summary.ignored if s.reason.startswith("unsupported") else summary.skipped).append(s)
    summary.files_seen = len(files)
    known = state_db.manifest(conn)
    event = ProgressEvent("scan", files_total=len(files), skipped=len(summary.skipped))
    run.notify(event)
    present: set[str] = set()
    pending = _Pending()
    for src in files:
        outcome = _prepare(src, run.max_bytes, emb, opts, known)
        event.files_done += 1
        event.path = src.rel
        if isinstance(outcome, Skipped):
            summary.skipped.append(outcome)
            event.skipped += 1
            if outcome.reason.startswith("error"):  # a failure, not a verdict on the file
                present.add(src.rel)  # its previous version (if any) stays searchable
        elif outcome is None:
            present.add(src.rel)
            summary.files_unchanged += 1
        else:
            doc, chunks = outcome
            present.add(doc.path)
            summary.warnings.extend(Skipped(doc.path, w) for w in doc.warnings)
            pending.items.append(outcome)
            pending.chunks += len(chunks)
            event.chunks += len(chunks)
            if pending.chunks >= run.embed_group:
                _flush(conn, store, emb, pending, known, summary, event, run)
        run.notify(event)
    _flush(conn, store, emb, pending, known, summary, event, run)
    # Only files under a path that was really listed can be gone: a folder that is missing,
    # unreadable or a symlink loop says nothing about the files indexed from it before.
    scopes = [relative_key(p, run.root) for p in run.paths if Path(p).exists()]
    gone = [
        p
        for p in known
        if p not in present
        and any(_under(p, s) for s in scopes)
        and not any(_under(p, s) for s in protected)
    ]
    forget(conn, store, gone)
    summary.files_deleted = len(gone)


def _prepare(
    src: SourceFile,
    max_bytes: int,
    emb: Embedder,
    opts: ChunkingOptions,
    known: dict[str, state_db.FileEntry],
) -> tuple[Document, list[Chunk]] | Skipped | None:
    """(document, chunks) to embed, None when unchanged, or why the file is skipped."""
    try:
        data = read_bytes(src, max_bytes)
        if isinstance(data, Skipped):
            return data
        # The hash decides before any decoding or YAML: an unchanged file costs a read.
        entry = known.get(src.rel)
        if entry is not None and entry.sha256 == hashlib.sha256(data).hexdigest():
            return None
        doc = parse_document(src, data)
        if isinstance(doc, Skipped):
            return doc
        chunks = chunk_document(doc, emb.count_tokens, opts)
    except Exception as exc:  # one file never stops the run
        return Skipped(src.rel, _error_reason("reading or chunking", exc))
    if not chunks:
        return Skipped(doc.path, "no indexable text")
    return doc, chunks


def _error_reason(stage: str, exc: BaseException) -> str:
    detail = exc.message if isinstance(exc, LablensError) else str(exc)
    detail = printable(detail, keep_newlines=False)
    if len(detail) > _WHY_MAX:
        detail = detail[: _WHY_MAX - 1] + "…"
    return f"error while {stage}: {type(exc).__name__}: {detail}".rstrip(": ")


def _flush(
    conn: Any,
    store: VectorStore,
    emb: Embedder,
    pending: _Pending,
    known: dict[str, state_db.FileEntry],
    summary: IndexSummary,
    event: ProgressEvent,
    run: RunSettings,
) -> None:
    if not pending.items:
        return
    event.stage = "embed"
    run.notify(event)
    ready = _embed_isolated(emb, pending.items, summary)
    try:
        _store(conn, store, ready, known, run.mirror)
        stored = ready
    except ServerUnavailable:
        raise  # no file is at fault: the run stops, what is stored so far stays consistent
    except Exception:  # find the file at fault: store one by one, skipping those that fail
        stored = []
        for item in ready:
            try:
                _store(conn, store, [item], known, run.mirror)
                stored.append(item)
            except ServerUnavailable:
                raise
            except Exception as exc:
                summary.skipped.append(Skipped(item[0].path, _error_reason("storing", exc)))
                event.skipped += 1
    for doc, chunks, _ in stored:
        summary.files_indexed += 1
        summary.chunks_embedded += len(chunks)
        event.stage, event.embedded, event.path = "file", summary.chunks_embedded, doc.path
        run.notify(event)
    pending.items, pending.chunks = [], 0
    event.stage = "scan"  # back to reading files


def _store(
    conn: Any,
    store: VectorStore,
    items: list[tuple[Document, list[Chunk], Any]],
    known: dict[str, state_db.FileEntry],
    mirror: bool,
) -> None:
    """One Chroma upsert and one SQLite transaction for a group of files (per-file calls cost
    more than embedding when the embedder is fast). Old versions go first, vectors before
    manifest rows, so an interruption leaves what `reconcile` repairs."""
    import numpy as np

    if not items:
        return
    forget(conn, store, [doc.path for doc, _, _ in items if doc.path in known])
    store.upsert(
        [c.id for _, chunks, _ in items for c in chunks],
        np.concatenate([np.asarray(v, dtype=np.float32) for _, _, v in items]),
        [c.text for _, chunks, _ in items for c in chunks],
        [chunk_metadata(doc, c) for doc, chunks, _ in items for c in chunks],
    )
    state_db.record_files(
        conn,
        [
            (doc.path, doc.sha256, doc.metadata, chunks[0].title, chunks, v if mirror else None)
            for doc, chunks, v in items
        ],
    )


def _embed_isolated(
    emb: Embedder, items: list[tuple[Document, list[Chunk]]], summary: IndexSummary
) -> list[tuple[Document, list[Chunk], Any]]:
    """Each item with its vectors. A failed group is retried file by file, so one file's
    text that the embedder refuses skips that file; an embedder that refuses a plain probe
    ends the run with a clear error (the files done so far stay indexed)."""
    texts = [c.embedding_text() for _, chunks in items for c in chunks]
    try:
        vectors = emb.embed_documents(texts)
        if len(vectors) != len(texts):
            raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    except Exception:
        from indexes.build import probe_embedder

        probe_embedder(emb, "The embedder stopped answering during the run")
        out = []
        for doc, chunks in items:
            try:
                vecs = emb.embed_documents([c.embedding_text() for c in chunks])
                if len(vecs) != len(chunks):
                    raise ValueError(f"{len(vecs)} vectors for {len(chunks)} chunks")
            except Exception as exc:
                summary.skipped.append(Skipped(doc.path, _error_reason("embedding", exc)))
                continue
            out.append((doc, chunks, vecs))
        return out
    result, offset = [], 0
    for doc, chunks in items:
        result.append((doc, chunks, vectors[offset : offset + len(chunks)]))
        offset += len(chunks)
    return result


def forget(conn: Any, store: VectorStore, paths: list[str]) -> None:
    if not paths:
        return
    ids = set().union(*(state_db.chunk_ids(conn, p) for p in paths))
    state_db.forget_files(conn, paths)
    store.delete(sorted(ids))


def chunk_metadata(doc: Document, chunk: Chunk) -> dict[str, Any]:
    """What Chroma stores beside each vector: the citation plus filterable front matter."""
    meta: dict[str, Any] = {
        "path": chunk.path,
        "ordinal": chunk.ordinal,
        "title": chunk.title,
        "heading": chunk.heading,
        "start_line": chunk.start_line,
        "end_line": chunk.end_line,
    }
    for key in ("doc_type", "team", "date", "experiment_id", "decision"):
        value = doc.metadata.get(key)
        if value is not None:
            text = value if isinstance(value, str | int | float | bool) else str(value)
            meta[key] = text[:200] if isinstance(text, str) else text
    return meta


def _under(rel: str, scope: str) -> bool:
    return rel == scope or rel.startswith(scope.rstrip("/") + "/")
