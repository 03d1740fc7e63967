"""The local SQLite state of a doc index: manifest (files and their content hashes), chunk rows,
the FTS5 lexical indexes (per chunk and per document) and (embedded mode) the dense-vector
mirror, in one database so a file's chunks, vectors and manifest entry are committed in one
transaction.

The manifest is the source of truth: a file is indexed when, and only when, its row is here.
Every write also sets a fresh `state_token`, so a reader can tell whether a cached copy of the
mirror is still current without reading it again.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexes.chunking import Chunk
from indexes.doc_rows import doc_rowid, doc_rowids_present, write_doc_row
from tools.errors import IndexingError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from indexes.dense_mirror import Mirror

DB_FILE = "docs_index.sqlite"
SCHEMA_VERSION = "1"
# porter: "ranking" finds "ranker"/"ranked"; unicode61 splits snake_case identifiers into words,
# which the query side mirrors by turning identifiers into phrases (see lexical.py).
_FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, chunk_count INTEGER NOT NULL,
    title TEXT NOT NULL, doc_type TEXT, team TEXT, date TEXT, metadata TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, ordinal INTEGER NOT NULL, title TEXT NOT NULL,
    heading TEXT NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, heading, body, chunk_id UNINDEXED, tokenize = '{_FTS_TOKENIZER}'
);
-- One row per file: its title and its chunks' text, for the document-level BM25 that lexical.py
-- adds to each chunk's own (a document about a question uses its words somewhere, not always
-- all in one chunk). Derived from the chunks table, so an index from before it existed gets
-- its rows on the next `lablens index` without re-embedding (fill_doc_rows).
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    title, body, path UNINDEXED, tokenize = '{_FTS_TOKENIZER}'
);
-- The dense mirror: per file, its chunk ids (in order, newline-separated) and their vectors
-- (unit-length float32, back to back), written with the file's chunks. Complete when it holds
-- one vector per chunk; indexes built before it existed have no rows until the next
-- `lablens index` copies the vectors over from Chroma.
CREATE TABLE IF NOT EXISTS file_vectors (
    path TEXT PRIMARY KEY, chunk_ids TEXT NOT NULL, vectors BLOB NOT NULL
);
"""
_TOKEN_KEY = "state_token"


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    chunk_count: int


def open_state(state_dir: Path, *, readonly: bool = False) -> sqlite3.Connection:
    path = state_dir / DB_FILE
    if readonly and not path.exists():
        raise IndexingError(
            f"No documentation index in {state_dir}", hint="Build it first with `lablens index`."
        )
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        if not readonly:
            # WAL: searches read while an index run writes; synchronous=NORMAL is durable at
            # each commit (what the manifest relies on against kill -9). Readers leave the mode
            # alone: the swap of a rebuilt index takes the file out of WAL mode (generations.py).
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    except sqlite3.Error as exc:
        raise IndexingError(
            f"Cannot open the index state {path}: {exc}",
            hint="Delete the .lablens folder to rebuild from scratch.",
        ) from None
    return conn


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def manifest(conn: sqlite3.Connection) -> dict[str, FileEntry]:
    rows = conn.execute("SELECT path, sha256, chunk_count FROM files").fetchall()
    return {p: FileEntry(p, s, n) for p, s, n in rows}


def chunk_ids(conn: sqlite3.Connection, path: str | None = None) -> set[str]:
    if path is None:
        return {r[0] for r in conn.execute("SELECT id FROM chunks")}
    return {r[0] for r in conn.execute("SELECT id FROM chunks WHERE path = ?", (path,))}


def forget_files(conn: sqlite3.Connection, paths: Iterable[str]) -> None:
    """Remove files from the manifest with their chunks and FTS rows (one transaction)."""
    paths = list(paths)
    if not paths:
        return
    with _transaction(conn):
        for path in paths:
            conn.execute(
                "DELETE FROM chunks_fts WHERE chunk_id IN (SELECT id FROM chunks WHERE path = ?)",
                (path,),
            )
            conn.execute("DELETE FROM docs_fts WHERE rowid = ?", (doc_rowid(path),))
            conn.execute("DELETE FROM file_vectors WHERE path = ?", (path,))
            conn.execute("DELETE FROM chunks WHERE path = ?", (path,))
            conn.execute("DELETE FROM files WHERE path = ?", (path,))


def drop_orphan_chunks(conn: sqlite3.Connection) -> int:
    """Delete chunk, FTS and mirror rows whose file is not in the manifest; returns how many
    chunk and mirror rows went."""
    with _transaction(conn):
        n = conn.execute("DELETE FROM chunks WHERE path NOT IN (SELECT path FROM files)").rowcount
        conn.execute("DELETE FROM chunks_fts WHERE chunk_id NOT IN (SELECT id FROM chunks)")
        known = {doc_rowid(str(r[0])) for r in conn.execute("SELECT path FROM files")}
        conn.executemany(
            "DELETE FROM docs_fts WHERE rowid = ?",
            [(r,) for r in sorted(doc_rowids_present(conn) - known)],
        )
        n += conn.execute(
            "DELETE FROM file_vectors WHERE path NOT IN (SELECT path FROM files)"
        ).rowcount
    return int(n)


def record_file(
    conn: sqlite3.Connection,
    path: str,
    sha256: str,
    metadata: dict[str, Any],
    title: str,
    chunks: list[Chunk],
    vectors: NDArray[np.floating] | None = None,
) -> None:
    """Insert a file's chunks, FTS rows, manifest entry and (when given, one per chunk) the
    mirror copy of its vectors atomically."""
    record_files(conn, [(path, sha256, metadata, title, chunks, vectors)])


FileRecord = tuple[str, str, dict[str, Any], str, list[Chunk], "NDArray[np.floating] | None"]


def record_files(conn: sqlite3.Connection, files: Sequence[FileRecord]) -> None:
    """`record_file` for several files in one transaction: all of them or none."""
    from indexes.dense_mirror import vectors_blob

    rows = []
    for path, sha256, metadata, title, chunks, vectors in files:
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(chunks)} chunks of {path}")
        rows.append(
            (
                path,
                sha256,
                metadata,
                title,
                chunks,
                None if vectors is None else vectors_blob(vectors),
            )
        )
    with _transaction(conn):
        for path, sha256, metadata, title, chunks, blob in rows:
            conn.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (c.id, c.path, c.ordinal, c.title, c.heading, c.start_line, c.end_line, c.text)
                    for c in chunks
                ],
            )
            if blob is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO file_vectors VALUES (?, ?, ?)",
                    (path, "\n".join(c.id for c in chunks), blob),
                )
            conn.executemany(
                "INSERT INTO chunks_fts (title, heading, body, chunk_id) VALUES (?, ?, ?, ?)",
                [(c.title, c.heading, c.text, c.id) for c in chunks],
            )
            write_doc_row(conn, path, title, [c.text for c in chunks])
            conn.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    path,
                    sha256,
                    len(chunks),
                    title,
                    _str_or_none(metadata.get("doc_type")),
                    _str_or_none(metadata.get("team")),
                    _str_or_none(metadata.get("date")),
                    json.dumps(metadata, sort_keys=True),
                ),
            )


def clear_all(conn: sqlite3.Connection) -> None:
    with _transaction(conn):
        conn.execute("DELETE FROM chunks_fts")
        conn.execute("DELETE FROM docs_fts")
        conn.execute("DELETE FROM file_vectors")
        conn.execute("DELETE FROM chunks")
        conn.execute("DELETE FROM files")


def fill_doc_rows(conn: sqlite3.Connection) -> int:
    """Write the document-level FTS row of every indexed file that lacks one, from its stored
    chunks (an index written before docs_fts existed); one transaction; returns how many."""
    present = doc_rowids_present(conn)
    missing = [
        str(r[0])
        for r in conn.execute("SELECT path FROM files WHERE chunk_count > 0 ORDER BY path")
        if doc_rowid(str(r[0])) not in present
    ]
    if not missing:
        return 0
    with _transaction(conn):
        for path in missing:
            rows = conn.execute(
                "SELECT title, text FROM chunks WHERE path = ? ORDER BY ordinal", (path,)
            ).fetchall()
            title = str(rows[0][0]) if rows else ""
            write_doc_row(conn, path, title, [str(t) for _, t in rows])
    return len(missing)


# chunk id -> docs_fts rowid of its file, per state database and state token: a long-lived
# process reads it once per index state. Ranking joins document scores to chunks through it
# because reading a path from docs_fts would load each matching document's whole text.
_CHUNK_DOCS: dict[str, tuple[str, dict[str, int]]] = {}
_CHUNK_DOCS_LOCK = threading.Lock()


def chunk_doc_rowids(conn: sqlite3.Connection) -> dict[str, int]:
    """chunk id -> docs_fts rowid of its file, or {} when the index has no document rows (one
    written before they existed, until its next `lablens index`)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'docs_fts'"
    ).fetchone()
    if has_table is None:
        return {}
    db = next((str(r[2]) for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    own = not conn.in_transaction
    if own:  # one read transaction: the token and the rows belong to the same committed state
        conn.execute("BEGIN")
    try:
        token = get_meta(conn, _TOKEN_KEY) or ""
        with _CHUNK_DOCS_LOCK:
            hit = _CHUNK_DOCS.get(db)
        if hit is not None and token and hit[0] == token:
            return hit[1]
        if conn.execute("SELECT 1 FROM docs_fts LIMIT 1").fetchone() is None:
            return {}
        rowid_of: dict[str, int] = {}
        out = {}
        for cid, path in conn.execute("SELECT id, path FROM chunks"):
            rowid = rowid_of.get(path)
            if rowid is None:
                rowid = rowid_of[path] = doc_rowid(path)
            out[str(cid)] = rowid
    finally:
        if own:
            conn.execute("COMMIT")
    if token and db:
        with _CHUNK_DOCS_LOCK:
            _CHUNK_DOCS[db] = (token, out)
    return out


def files_missing_vectors(conn: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    """(path, chunk ids in order) of indexed files the mirror has no vectors for, by path."""
    rows = conn.execute(
        "SELECT c.path, c.id FROM chunks c WHERE c.path NOT IN (SELECT path FROM file_vectors) "
        "ORDER BY c.path, c.ordinal"
    ).fetchall()
    out: dict[str, list[str]] = {}
    for path, cid in rows:
        out.setdefault(str(path), []).append(str(cid))
    return list(out.items())


def add_file_vectors(
    conn: sqlite3.Connection, files: Sequence[tuple[str, list[str], NDArray[np.floating]]]
) -> None:
    """Mirror the vectors of already indexed files (path, chunk ids in order, one vector per
    id), e.g. read back from Chroma; one transaction."""
    from indexes.dense_mirror import vectors_blob

    with _transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO file_vectors VALUES (?, ?, ?)",
            [(p, "\n".join(ids), vectors_blob(v)) for p, ids, v in files],
        )


def read_mirror(conn: sqlite3.Connection, cache_key: str) -> Mirror | None:
    """The dense mirror of the committed state, or None when it is incomplete (an index built
    before the mirror existed, or by a Chroma server) or unreadable.

    Reads happen in one transaction, so a concurrent index run is seen entirely or not at all.
    """
    from indexes import dense_mirror

    conn.execute("BEGIN")
    try:
        token = get_meta(conn, _TOKEN_KEY)
        hit = dense_mirror.cached(cache_key, token) if token else None
        if hit is not None:
            return hit
        n_chunks = int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        rows = conn.execute(
            "SELECT path, chunk_ids, vectors FROM file_vectors ORDER BY path"
        ).fetchall()
    except sqlite3.OperationalError:  # no file_vectors table: written by an older lablens
        return None
    finally:
        conn.execute("COMMIT")
    mirror = dense_mirror.build_mirror(token or "", rows)
    if mirror is None or len(mirror.ids) != n_chunks:
        return None
    if token:
        dense_mirror.remember(cache_key, mirror)
    return mirror


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class _transaction:
    """BEGIN IMMEDIATE … COMMIT/ROLLBACK (the connection runs in autocommit mode)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        # Every write transaction changes chunks or vectors: a new token tells readers that a
        # cached mirror is stale.
        set_meta(self.conn, _TOKEN_KEY, secrets.token_hex(8))
        return self.conn

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
