"""Build or update the doc index incrementally, safely under kill -9 and concurrent runs.

The file pass itself (streamed, one bad file never stops it) is `index_run.run_files`; this
module decides where it runs: in place for an incremental update, or — when the embedder or
the chunker changed — into a generation beside the live index that is swapped in only when
complete (`generations.py`), after a probe has shown the new embedder loads and answers.

On start, `reconcile` removes Chroma ids the manifest does not claim and forgets files whose
vectors are missing, so an interrupted run is repaired into what a fresh build gives. Then an
embedded index whose mirror lacks vectors (built before the mirror existed) gets them copied
from Chroma, without re-embedding.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexes import generations, shared_index, state_db
from indexes.chunking import ChunkingOptions
from indexes.embedders import Embedder, EmbedderSpec, resolve_embedder
from indexes.index_lock import index_lock
from indexes.index_run import (
    EMBED_GROUP,
    IndexSummary,
    ProgressEvent,
    ProgressFn,
    RunSettings,
    chunk_metadata,
    forget,
    run_files,
)
from indexes.loaders import DEFAULT_MAX_BYTES
from indexes.vector_store import DOCS_COLLECTION, VectorStore, open_client
from tools.errors import IndexingError, LablensError

__all__ = ["IndexSummary", "ProgressEvent", "build_index", "chunk_metadata", "index_identity"]

CHUNKER_VERSION = "3"  # bump whenever chunk boundaries, text or headings change


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
    that lie under `paths` but are gone or no longer indexable leave both indexes. A change of
    embedder or chunker is built beside the live index and swapped in when complete.
    """
    started = time.perf_counter()
    emb = resolve_embedder(embedder)
    opts = chunking or ChunkingOptions(max_tokens=min(256, emb.max_tokens))
    notify = progress or (lambda _e: None)
    summary = IndexSummary(embedder=emb.identity)
    wanted = index_identity(emb, opts)
    run = RunSettings(
        list(paths), root, int(max_file_mb * 1024 * 1024), notify, embed_group, not chroma_url
    )
    with index_lock(state_dir, wait_s=lock_wait_s):
        client = open_client(state_dir, chroma_url)
        with (
            shared_index.server_lock(client, collection) if chroma_url else contextlib.nullcontext()
        ):
            if chroma_url and shared_index.pull_for_writer(client, collection, state_dir):
                summary.messages.append(
                    "Took the manifest published on the server by the last writer."
                )
            _build(state_dir, client, collection, emb, opts, wanted, run, summary)
            if chroma_url:  # readers see the run only once it is complete
                head = shared_index.publish(client, collection, state_dir)
                shared_index.remember_published(state_dir, head)
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


def _build(
    state_dir: Path,
    client: Any,
    collection: str,
    emb: Embedder,
    opts: ChunkingOptions,
    wanted: str,
    run: RunSettings,
    summary: IndexSummary,
) -> None:
    """In place when the setting is unchanged, else beside the live index."""
    live = state_db.open_state(state_dir)
    try:
        recorded = state_db.get_meta(live, "index_identity")
        live_collection = generations.collection_of(live, collection)
        live_files = int(live.execute("SELECT COUNT(*) FROM files").fetchone()[0])
    finally:
        live.close()
    if recorded in (None, "", wanted) or live_files == 0:
        _build_in_place(state_dir, client, live_collection, emb, opts, wanted, run, summary)
    else:
        _rebuild_beside(
            state_dir, client, collection, live_collection, emb, opts, recorded, run, summary
        )


def index_identity(emb: Embedder, opts: ChunkingOptions) -> str:
    return (
        f"{emb.identity}|chunker:{CHUNKER_VERSION}:{opts.max_tokens}:{opts.overlap_tokens}"
        f":{opts.min_body_tokens}"
    )


def _build_in_place(
    db_dir: Path,
    client: Any,
    collection: str,
    emb: Embedder,
    opts: ChunkingOptions,
    wanted: str,
    run: RunSettings,
    summary: IndexSummary,
) -> None:
    """Update the index in `db_dir` (live or staged) incrementally with `emb`."""
    conn = state_db.open_state(db_dir)
    try:
        store = VectorStore(client, collection)
        recorded = state_db.get_meta(conn, "index_identity")
        if recorded is None and store.exists():
            store.drop()  # vectors without a manifest (state file deleted): nothing vouches
        elif recorded is not None and recorded != wanted:  # empty, or an interrupted old rebuild
            store.drop()
            state_db.clear_all(conn)
        state_db.set_meta(conn, "index_identity", wanted)
        state_db.set_meta(conn, generations.COLLECTION_KEY, collection)
        summary.repaired_ids = reconcile(conn, store)
        filled = state_db.fill_doc_rows(conn)
        if filled:  # an index written before the document-level rows existed
            summary.messages.append(
                f"Added {filled} documents to the document-level lexical index from their "
                "stored chunks (nothing re-embedded)."
            )
        # The mirror serves searches of embedded indexes only; a server's index is queried
        # through the server, so its vectors are not copied locally.
        if run.mirror:
            summary.mirror_filled = fill_mirror(conn, store)
            if summary.mirror_filled:
                summary.messages.append(
                    f"Copied {summary.mirror_filled} vectors from Chroma into the "
                    "exact-search mirror (nothing re-embedded)."
                )
        run_files(conn, store, emb, opts, run, summary)
        summary.chunks_total = int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        state_db.set_meta(conn, "complete", "1")
    finally:
        conn.close()


def _rebuild_beside(
    state_dir: Path,
    client: Any,
    base_collection: str,
    live_collection: str,
    emb: Embedder,
    opts: ChunkingOptions,
    recorded: str,
    run: RunSettings,
    summary: IndexSummary,
) -> None:
    """Build the index for the new setting next to the live one, then swap it in."""
    wanted = index_identity(emb, opts)
    before, now = recorded.split("|")[0], wanted.split("|")[0]
    why = (
        f"the embedding model changed (`{before}` → `{now}`)"
        if before != now
        else "the chunking settings changed"
    )
    probe_embedder(emb, f"Cannot rebuild the index for the new setting ({why})")
    staged_dir = generations.generation_dir(state_dir, wanted)
    staged_db = staged_dir / state_db.DB_FILE
    staged_collection = generations.collection_for(base_collection, wanted)
    if staged_db.exists():
        conn = state_db.open_state(staged_dir)
        try:
            complete = state_db.get_meta(conn, "complete") == "1"
            ok = state_db.get_meta(conn, "index_identity") in (wanted, None, "")
            # A kept index has its vectors where it was built (the default collection, if it
            # was the first index of the workspace).
            staged_collection = generations.collection_of(conn, staged_collection)
        finally:
            conn.close()
        if not ok:  # a slug collision or a damaged copy: start that generation over
            generations.remove_db(staged_db)
        elif complete:
            summary.messages.append(
                f"Switching back to the index built earlier with `{now}`: only files changed "
                "since then are embedded."
            )
        else:
            summary.messages.append(f"Resuming an interrupted rebuild ({why}).")
    if not summary.messages or "Switching back" not in summary.messages[-1]:
        summary.messages.append(
            f"Rebuilding the index beside the one in use ({why}); searches keep using the "
            "current index until the new one is complete."
        )
    summary.rebuilt = True
    _build_in_place(staged_dir, client, staged_collection, emb, opts, wanted, run, summary)
    generations.swap_in(state_dir, staged_db, recorded, live_collection)
    dropped = generations.prune(
        state_dir,
        generations.KEEP_GENERATIONS,
        lambda name: VectorStore(client, name).drop(),
    )
    summary.messages.append(
        f"The index built with `{before}` is kept: putting that setting back reuses it."
        + (f" ({len(dropped)} older kept index(es) removed.)" if dropped else "")
    )


def probe_embedder(emb: Embedder, context: str) -> int:
    """Embed one short text to prove the embedder loads and answers; its vector size.

    Raises `IndexingError` (with `context`) instead of letting a broken model path or a dead
    endpoint start a run that would fail on every file.
    """
    try:
        vec = emb.embed_documents(["lablens embedding check"])
        if len(vec) != 1 or len(vec[0]) == 0:
            raise ValueError(f"{len(vec)} vectors for 1 input")
    except Exception as exc:
        detail = exc.message if isinstance(exc, LablensError) else f"{type(exc).__name__}: {exc}"
        raise IndexingError(
            f"{context}: the embedder `{emb.identity}` does not work: {detail}",
            hint="Fix [embeddings] in lablens.toml (model path, base_url, api_key) or put the "
            "previous setting back; the index in use is unchanged and still serves searches.",
        ) from None
    return len(vec[0])


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
        forget(conn, store, [r[0] for r in rows])
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
