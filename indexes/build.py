"""Build or update the doc index incrementally, safely under kill -9 and concurrent runs.

Order of writes for each file (the manifest row is written last, in the same SQLite
transaction as its FTS rows, and only after Chroma holds its vectors):

1. forget the old version in SQLite (manifest row, chunks, FTS, mirror vectors) — one
   transaction; 2. delete its old vectors from Chroma; 3. upsert the new vectors; 4. record the
   new version (with, for an embedded index, the mirror copy of its vectors).

On start, `reconcile` removes Chroma ids the manifest does not claim and forgets files whose
vectors are missing, so an interrupted run is repaired into what a fresh build gives. Then an
embedded index whose mirror lacks vectors (built before the mirror existed) gets them copied
from Chroma, without re-embedding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexes import state_db
from indexes.chunking import Chunk, ChunkingOptions, chunk_document
from indexes.embedders import Embedder, EmbedderSpec, resolve_embedder
from indexes.index_lock import index_lock
from indexes.loaders import (
    DEFAULT_MAX_BYTES,
    Document,
    Skipped,
    discover,
    load_document,
    relative_key,
)
from indexes.vector_store import DOCS_COLLECTION, VectorStore, open_client

CHUNKER_VERSION = "2"  # bump whenever chunk boundaries, text or headings change
EMBED_GROUP = 256  # chunks embedded per call: big enough for length-sorted batching


@dataclass
class ProgressEvent:
    stage: str  # scan | embed | file | done
    files_total: int = 0
    files_done: int = 0
    chunks: int = 0  # chunks to embed this run (new or changed files)
    embedded: int = 0
    skipped: int = 0
    path: str = ""


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
    repaired_ids: int = 0  # leftovers of an interrupted run removed on start
    mirror_filled: int = 0  # vectors copied from Chroma into the exact-search mirror
    rebuilt: bool = False
    messages: list[str] = field(default_factory=list)
    embedder: str = ""
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        data["ignored"] = [{"path": s.path, "reason": s.reason} for s in self.ignored]
        return data


ProgressFn = Callable[[ProgressEvent], None]


def build_index(
    paths: Sequence[Path],
    state_dir: Path,
    *,
    embedder: EmbedderSpec | Embedder | None = None,
    chroma_url: str | None = None,
    root: Path | None = None,
    progress: ProgressFn | None = None,
    max_file_mb: float = DEFAULT_MAX_BYTES / 1024 / 1024,
    chunking: ChunkingOptions | None = None,
    lock_wait_s: float = 0.0,
    collection: str = DOCS_COLLECTION,
    embed_group: int = EMBED_GROUP,
) -> IndexSummary:
    """Index `paths` (files or folders) into `state_dir`; only new or changed files are embedded.

    Paths are stored relative to `root` when given (e.g. docs/x.md). Files in the manifest
    that lie under `paths` but are gone or no longer indexable leave both indexes.
    """
    started = time.perf_counter()
    emb = resolve_embedder(embedder)
    opts = chunking or ChunkingOptions(max_tokens=min(256, emb.max_tokens))
    notify = progress or (lambda _e: None)
    summary = IndexSummary(embedder=emb.identity)
    with index_lock(state_dir, wait_s=lock_wait_s):
        conn = state_db.open_state(state_dir)
        try:
            store = VectorStore(open_client(state_dir, chroma_url), collection)
            _check_identity(conn, store, emb, opts, summary)
            summary.repaired_ids = reconcile(conn, store)
            # The mirror serves searches of embedded indexes only; a server's index is queried
            # through the server, so its vectors are not copied locally.
            mirror = not chroma_url
            if mirror:
                summary.mirror_filled = fill_mirror(conn, store)
                if summary.mirror_filled:
                    summary.messages.append(
                        f"Copied {summary.mirror_filled} vectors from Chroma into the "
                        "exact-search mirror (nothing re-embedded)."
                    )
            _run(
                conn,
                store,
                emb,
                opts,
                list(paths),
                root,
                int(max_file_mb * 1024 * 1024),
                summary,
                notify,
                embed_group,
                mirror,
            )
            summary.chunks_total = int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        finally:
            conn.close()
    summary.elapsed_s = round(time.perf_counter() - started, 3)
    notify(
        ProgressEvent(
            "done",
            summary.files_seen,
            summary.files_seen,
            summary.chunks_embedded,
            summary.chunks_embedded,
            len(summary.skipped),
        )
    )
    return summary


def index_identity(emb: Embedder, opts: ChunkingOptions) -> str:
    return (
        f"{emb.identity}|chunker:{CHUNKER_VERSION}:{opts.max_tokens}:{opts.overlap_tokens}"
        f":{opts.min_body_tokens}"
    )


def _check_identity(
    conn: Any, store: VectorStore, emb: Embedder, opts: ChunkingOptions, summary: IndexSummary
) -> None:
    """A different embedder (or chunker) means incomparable vectors: start from scratch."""
    wanted = index_identity(emb, opts)
    recorded = state_db.get_meta(conn, "index_identity")
    if recorded is not None and recorded != wanted:
        summary.rebuilt = True
        before, now = recorded.split("|")[0], wanted.split("|")[0]
        why = (
            f"the embedding model changed (`{before}` → `{now}`)"
            if before != now
            else "the chunking settings changed"
            if recorded
            else "a rebuild was interrupted"
        )
        summary.messages.append(f"Rebuilding the index from scratch: {why}.")
        state_db.set_meta(conn, "index_identity", "")  # an interrupted rebuild stays a rebuild
        store.drop()
        state_db.clear_all(conn)
    elif recorded is None and store.exists():
        store.drop()  # vectors without a manifest (state file deleted): nothing vouches for them
    state_db.set_meta(conn, "index_identity", wanted)


def reconcile(conn: Any, store: VectorStore) -> int:
    """Make Chroma and FTS agree with the manifest; returns the number of ids removed."""
    removed = state_db.drop_orphan_chunks(conn)
    claimed = state_db.chunk_ids(conn)
    present = store.all_ids()
    extra = present - claimed
    if extra:
        store.delete(sorted(extra))
    missing = claimed - present
    if missing:  # vectors lost (e.g. Chroma folder restored from an old copy): re-embed those
        rows = conn.execute(
            f"SELECT DISTINCT path FROM chunks WHERE id IN ({','.join('?' * len(missing))})",
            sorted(missing),
        ).fetchall()
        _forget(conn, store, [r[0] for r in rows])
    return removed + len(extra) + len(missing)


def fill_mirror(conn: Any, store: VectorStore, page: int = 200) -> int:
    """Copy into the mirror the Chroma vectors of indexed files it lacks; returns how many
    vectors were copied.

    Each page of files is its own transaction: an interrupted fill resumes where it stopped,
    and until it completes searches keep using Chroma (the mirror is incomplete).
    """
    import numpy as np

    missing = state_db.files_missing_vectors(conn)
    filled = 0
    for i in range(0, len(missing), page):
        files = missing[i : i + page]
        found = store.vectors([cid for _, ids in files for cid in ids])
        # A file with a vector missing from Chroma is re-embedded by the next run's reconcile.
        complete = [
            (path, ids, np.stack([found[c] for c in ids]))
            for path, ids in files
            if all(c in found for c in ids)
        ]
        if complete:
            state_db.add_file_vectors(conn, complete)
            filled += sum(len(ids) for _, ids, _ in complete)
    return filled


def _ids_of(conn: Any, paths: list[str]) -> set[str]:
    return set().union(*(state_db.chunk_ids(conn, p) for p in paths)) if paths else set()


def _run(
    conn: Any,
    store: VectorStore,
    emb: Embedder,
    opts: ChunkingOptions,
    paths: list[Path],
    root: Path | None,
    max_bytes: int,
    summary: IndexSummary,
    notify: ProgressFn,
    embed_group: int,
    mirror: bool,
) -> None:
    files, skipped = discover(paths, root)
    for s in skipped:
        (summary.ignored if s.reason.startswith("unsupported") else summary.skipped).append(s)
    summary.files_seen = len(files)
    known = state_db.manifest(conn)
    event = ProgressEvent("scan", files_total=len(files), skipped=len(summary.skipped))
    notify(event)
    todo: list[tuple[Document, list[Chunk]]] = []
    present: set[str] = set()
    for src in files:
        doc = load_document(src, max_bytes)
        event.files_done += 1
        if isinstance(doc, Skipped):
            summary.skipped.append(doc)
            event.skipped += 1
        elif doc.path in known and known[doc.path].sha256 == doc.sha256:
            present.add(doc.path)
            summary.files_unchanged += 1
        else:
            chunks = chunk_document(doc, emb.count_tokens, opts)
            if not chunks:
                summary.skipped.append(Skipped(doc.path, "no indexable text"))
                event.skipped += 1
            else:
                present.add(doc.path)
                event.chunks += len(chunks)
                todo.append((doc, chunks))
        event.path = src.rel
        notify(event)
    scopes = [relative_key(p, root) for p in paths]
    gone = [p for p in known if p not in present and any(_under(p, s) for s in scopes)]
    _forget(conn, store, gone)
    summary.files_deleted = len(gone)
    # Changed files lose their old version first, so a crash never leaves two versions.
    _forget(conn, store, [d.path for d, _ in todo if d.path in known])
    _embed_and_record(conn, store, emb, todo, summary, event, notify, embed_group, mirror)


def _forget(conn: Any, store: VectorStore, paths: list[str]) -> None:
    if not paths:
        return
    ids = _ids_of(conn, paths)
    state_db.forget_files(conn, paths)
    store.delete(sorted(ids))


def _embed_and_record(
    conn: Any,
    store: VectorStore,
    emb: Embedder,
    todo: list[tuple[Document, list[Chunk]]],
    summary: IndexSummary,
    event: ProgressEvent,
    notify: ProgressFn,
    embed_group: int,
    mirror: bool,
) -> None:
    group: list[tuple[Document, list[Chunk]]] = []
    size = 0
    for item in [*todo, None]:
        if item is not None:
            group.append(item)
            size += len(item[1])
        if group and (item is None or size >= embed_group):
            texts = [c.embedding_text() for _, chunks in group for c in chunks]
            event.stage = "embed"
            notify(event)
            vectors = emb.embed_documents(texts) if texts else None
            offset = 0
            for doc, chunks in group:
                vecs = None
                if vectors is not None:
                    vecs = vectors[offset : offset + len(chunks)]
                    offset += len(chunks)
                    store.upsert(
                        [c.id for c in chunks],
                        vecs,
                        [c.text for c in chunks],
                        [chunk_metadata(doc, c) for c in chunks],
                    )
                state_db.record_file(
                    conn,
                    doc.path,
                    doc.sha256,
                    doc.metadata,
                    chunks[0].title,
                    chunks,
                    vecs if mirror else None,
                )
                summary.files_indexed += 1
                summary.chunks_embedded += len(chunks)
                event.stage, event.embedded, event.path = "file", summary.chunks_embedded, doc.path
                notify(event)
            group, size = [], 0


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
            meta[key] = value if isinstance(value, str | int | float | bool) else str(value)
    return meta


def _under(rel: str, scope: str) -> bool:
    return rel == scope or rel.startswith(scope.rstrip("/") + "/")
