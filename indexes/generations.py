"""Index generations: a rebuild (new model, dimension, endpoint or chunker) is built beside the
live index and swapped in only when complete, and the index it replaces is kept, so a setting
that is put back finds its old index intact instead of re-embedding everything.

Layout under the state folder:

    docs_index.sqlite                      the live index (what every search reads)
    docs_generations/<slug>/docs_index.sqlite   a rebuild in progress, or a kept index
    chroma/                                one Chroma client; each generation its own collection

Each state database names its Chroma collection in `meta.collection` (an index from before
generations existed has none and uses the default name), so swapping the database file swaps
the vectors with it. The swap is one `os.replace` of a database in rollback-journal mode:
a search sees the old index or the new one, never a mix, and never no index.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from indexes import state_db
from tools.errors import IndexingError

GENERATIONS_DIR = "docs_generations"
KEEP_GENERATIONS = 2  # indexes kept for settings that are not live (each costs its disk size)
COLLECTION_KEY = "collection"


def slug(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8", "backslashreplace")).hexdigest()[:12]


def generation_dir(state_dir: Path, identity: str) -> Path:
    return state_dir / GENERATIONS_DIR / slug(identity)


def collection_of(conn: sqlite3.Connection, default: str) -> str:
    """The Chroma collection that holds this database's vectors."""
    return state_db.get_meta(conn, COLLECTION_KEY) or default


def collection_for(default: str, identity: str) -> str:
    return f"{default}-{slug(identity)}"


def kept_identities(state_dir: Path) -> dict[str, Path]:
    """identity -> database of every generation kept beside the live index."""
    out: dict[str, Path] = {}
    root = state_dir / GENERATIONS_DIR
    if not root.is_dir():
        return out
    for db in sorted(root.glob(f"*/{state_db.DB_FILE}")):
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5.0)
            try:
                identity = state_db.get_meta(conn, "index_identity")
            finally:
                conn.close()
        except sqlite3.Error:
            continue
        if identity:
            out[identity] = db
    return out


def _to_rollback_journal(db: Path, wait_s: float = 30.0) -> None:
    """Fold the WAL into the database file and leave WAL mode, so the file alone is the whole
    database and can be moved. Waits for readers of the WAL to finish."""
    conn = sqlite3.connect(db, timeout=wait_s, isolation_level=None)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            except sqlite3.OperationalError:
                mode = "busy"
            if str(mode).lower() == "delete":
                return
            if time.monotonic() >= deadline:
                raise IndexingError(
                    f"Could not finish the index swap: {db} stayed busy for {wait_s:.0f} s",
                    hint="Close long-running searches (e.g. the chat UI) and run `lablens index` "
                    "again; the index in use is unchanged.",
                )
            time.sleep(0.1)
    finally:
        conn.close()


def swap_in(
    state_dir: Path, staged_db: Path, live_identity: str | None, live_collection: str
) -> None:
    """Make `staged_db` the live index; keep the live one (if any) as a generation."""
    live = state_dir / state_db.DB_FILE
    if live.exists() and live_identity:
        conn = state_db.open_state(state_dir)
        try:
            state_db.set_meta(conn, COLLECTION_KEY, live_collection)
        finally:
            conn.close()
        keep_dir = generation_dir(state_dir, live_identity)
        keep_dir.mkdir(parents=True, exist_ok=True)
        kept = keep_dir / state_db.DB_FILE
        remove_db(kept)
        _to_rollback_journal(live)
        try:
            os.link(live, kept)  # the same file under a second name: no copy, no gap
        except OSError:
            shutil.copy2(live, kept)
    _to_rollback_journal(staged_db)
    os.replace(staged_db, live)
    for leftover in (staged_db.parent / (staged_db.name + s) for s in ("-wal", "-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()
    with contextlib.suppress(OSError):
        staged_db.parent.rmdir()


def prune(state_dir: Path, keep: int, drop_collection: Callable[[str], None]) -> list[str]:
    """Delete kept generations beyond the `keep` most recently used; returns their identities.

    `drop_collection(name)` removes a generation's vectors from Chroma.
    """
    kept = kept_identities(state_dir)
    by_age = sorted(kept.items(), key=lambda kv: kv[1].stat().st_mtime, reverse=True)
    dropped = []
    for identity, db in by_age[keep:]:
        name = None
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            name = state_db.get_meta(conn, COLLECTION_KEY)
            conn.close()
        if name:
            drop_collection(name)
        shutil.rmtree(db.parent, ignore_errors=True)
        dropped.append(identity)
    return dropped


def remove_db(db: Path) -> None:
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
