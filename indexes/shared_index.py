"""A team's index on a `chroma run` server: the vectors, the manifest and the lexical index all
live on the server, so every user searching it sees the same results.

What lives where (README, "A shared index for a team"):
- vectors, chunk texts and metadata: the docs collection, as for any Chroma index;
- the state database (manifest of content hashes + SQLite FTS5 lexical index + chunk rows):
  published by the writer after each completed run as a snapshot in the `lablens_docs_state`
  collection (base64 parts, their sha256, and one `head` record naming the current snapshot,
  written last, so a reader never sees half a snapshot);
- the writer lock: a `lock` record (owner, host, pid, lease expiry) in the same collection.

Why a snapshot and not Chroma's own full-text search: a local `chroma run` (1.5) has no
sparse vectors (they are refused outside Chroma's distributed mode) and `where_document`
`$contains` filters without ranking, so BM25 would be lost. Readers download the snapshot when
the head changes (`synced_state_dir`) and search it read-only; the dense leg still goes to
the server, and chunks the snapshot does not know (a run is mid-way) are left out, so every
hit's text and line range come from one published snapshot.

Chroma has no compare-and-set: the lock is taken by writing the record and reading it back
after a short pause; two writers starting within that pause on different machines could both
believe they hold it (each machine's own `index_lock` still serialises its runs).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indexes import state_db
from indexes.vector_store import server_label, translate_server_errors
from tools.errors import IndexingError

STATE_SUFFIX = "_state"  # the docs collection `lablens_docs` has `lablens_docs_state` beside it
SHARED_DIR = "shared"  # the reader's copy of the published snapshot, under .lablens/
HEAD_FILE = "head.json"
PART_BYTES = 1 << 20  # 1 MiB of the database per record (1.4 MB of base64 text)
LEASE_S = 120.0  # a writer that stops renewing (killed, machine gone) frees the lock after this
CONFIRM_S = 0.3  # the pause between writing the lock record and reading it back
_HELD: set[str] = set()  # tokens of the locks this process holds now
_ONE = [[1.0]]  # records here are looked up by id: their vector is a placeholder


def _collection(client: Any, base: str) -> Any:
    with translate_server_errors(client):
        return client.get_or_create_collection(base + STATE_SUFFIX, embedding_function=None)


def _get(col: Any, client: Any, ids: list[str]) -> dict[str, tuple[dict[str, Any], str]]:
    with translate_server_errors(client):
        got = col.get(ids=ids, include=["metadatas", "documents"])
    return {
        i: (dict(m or {}), d or "")
        for i, m, d in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
    }


# --- the writer lock -----------------------------------------------------------------------


@contextlib.contextmanager
def server_lock(client: Any, base: str, *, lease_s: float = LEASE_S) -> Iterator[None]:
    """Hold the server's writer lock for the duration, renewing its lease in the background;
    refuse with the holder's name when another writer holds an unexpired lease."""
    col = _collection(client, base)
    me = {
        "owner": f"{os.environ.get('USER', 'someone')}@{socket.gethostname()}",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "token": uuid.uuid4().hex,
    }
    _acquire(col, client, me, lease_s)
    _HELD.add(str(me["token"]))
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(col, client, me, lease_s, stop), name="lablens-lease", daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        _HELD.discard(str(me["token"]))
        stop.set()
        renewer.join()
        with contextlib.suppress(IndexingError):  # the server may be gone: the lease expires
            held = _get(col, client, ["lock"]).get("lock")
            if held and held[0].get("token") == me["token"]:
                with translate_server_errors(client):
                    col.delete(ids=["lock"])


def _acquire(col: Any, client: Any, me: dict[str, Any], lease_s: float) -> None:
    held = _get(col, client, ["lock"]).get("lock")
    if held and held[0].get("until", 0) > time.time() and not _abandoned(held[0]):
        _refuse(client, held[0])
    _write_lock(col, client, me, lease_s)
    time.sleep(CONFIRM_S)  # a writer that raced us has written by now: whoever is last wins
    held = _get(col, client, ["lock"]).get("lock")
    if not held or held[0].get("token") != me["token"]:
        _refuse(client, held[0] if held else {})


def _abandoned(held: dict[str, Any]) -> bool:
    """A lock left by a run of this machine that is not running any more (killed, or a run
    of this process that stopped without reaching the server to release it)."""
    if held.get("host") != socket.gethostname():
        return False  # another machine's process cannot be checked: its lease decides
    pid = int(held.get("pid", 0))
    if pid == os.getpid():
        return held.get("token") not in _HELD
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _write_lock(col: Any, client: Any, me: dict[str, Any], lease_s: float) -> None:
    meta = {**me, "until": time.time() + lease_s}
    with translate_server_errors(client):
        col.upsert(ids=["lock"], embeddings=_ONE, metadatas=[meta], documents=["writer lock"])


def _renew(
    col: Any, client: Any, me: dict[str, Any], lease_s: float, stop: threading.Event
) -> None:
    while not stop.wait(lease_s / 3):
        with contextlib.suppress(IndexingError):  # the run itself reports a dead server
            _write_lock(col, client, me, lease_s)


def _refuse(client: Any, held: dict[str, Any]) -> None:
    left = max(0, int(float(held.get("until", 0)) - time.time()))
    raise IndexingError(
        f"Another index run ({held.get('owner', '?')}, pid {held.get('pid', '?')}) is "
        f"updating the shared index on {server_label(client)}.",
        hint=f"Wait for it to finish (its lease expires in {left} s if it stopped), then run "
        "`lablens index` again.",
    )


# --- publishing and reading the state snapshot ---------------------------------------------


def published_head(client: Any, base: str) -> dict[str, Any] | None:
    """The head record of the current snapshot, or None if nothing was published yet."""
    got = _get(_collection(client, base), client, ["head"]).get("head")
    return got[0] if got else None


def publish(client: Any, base: str, state_dir: Path) -> dict[str, Any]:
    """Upload the state database of `state_dir` as a new snapshot and make it current."""
    data = _snapshot_bytes(state_dir / state_db.DB_FILE)
    gen = uuid.uuid4().hex[:12]
    parts = [data[i : i + PART_BYTES] for i in range(0, len(data), PART_BYTES)] or [b""]
    col = _collection(client, base)
    old = published_head(client, base)
    with translate_server_errors(client):
        for n, part in enumerate(parts):
            col.upsert(
                ids=[f"snap:{gen}:{n}"],
                embeddings=_ONE,
                metadatas=[{"gen": gen, "part": n}],
                documents=[base64.b64encode(part).decode("ascii")],
            )
        head = {
            "gen": gen,
            "parts": len(parts),
            "sha256": hashlib.sha256(data).hexdigest(),
            "published": time.time(),
        }
        col.upsert(ids=["head"], embeddings=_ONE, metadatas=[head], documents=["snapshot head"])
        if old:  # readers that fetched the old head are done with it within seconds
            col.delete(ids=[f"snap:{old['gen']}:{n}" for n in range(int(old["parts"]))])
    return head


def _snapshot_bytes(db: Path) -> bytes:
    """A consistent copy of the database in rollback-journal mode (a reader's copy is a
    single file, safe to replace by rename while others read it)."""
    tmp = db.with_name(f"{db.name}.publish{os.getpid()}")
    try:
        src = sqlite3.connect(db)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        return tmp.read_bytes()
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def download(client: Any, base: str, head: dict[str, Any], target: Path) -> None:
    """Write the snapshot `head` names to `target` (atomically); refuses a corrupt copy."""
    ids = [f"snap:{head['gen']}:{n}" for n in range(int(head["parts"]))]
    got = _get(_collection(client, base), client, ids)
    if len(got) != len(ids):  # replaced while we read: the caller retries with the new head
        raise _SnapshotMoved
    data = b"".join(base64.b64decode(got[i][1]) for i in ids)
    if hashlib.sha256(data).hexdigest() != head["sha256"]:
        raise IndexingError(
            f"The shared index state on {server_label(client)} is damaged (checksum mismatch).",
            hint="Run `lablens index` from a writer's workspace to publish it again.",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}.{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, target)


class _SnapshotMoved(Exception):
    """The snapshot was superseded while it was being read."""


def synced_state_dir(state_dir: Path, client: Any, base: str) -> Path:
    """The folder holding this workspace's copy of the server's current snapshot, refreshed
    when the server's head moved; what a search on a shared index reads."""
    shared = state_dir / SHARED_DIR
    for _ in range(3):
        head = published_head(client, base)
        if head is None:
            raise IndexingError(
                f"No documentation index has been published on {server_label(client)} yet.",
                hint="Run `lablens index` in a workspace with this docs.chroma_url.",
            )
        if _local_head(shared) == head["gen"]:
            return shared
        try:
            download(client, base, head, shared / state_db.DB_FILE)
        except _SnapshotMoved:
            continue
        (shared / HEAD_FILE).write_text(json.dumps({"gen": head["gen"]}))
        return shared
    raise IndexingError(
        f"The shared index on {server_label(client)} changed three times while it was read.",
        hint="Search again in a moment.",
    )


def _local_head(shared: Path) -> str | None:
    try:
        gen = json.loads((shared / HEAD_FILE).read_text()).get("gen")
    except (OSError, ValueError):
        return None
    return gen if (shared / state_db.DB_FILE).is_file() else None


def pull_for_writer(client: Any, base: str, state_dir: Path) -> bool:
    """Before a run: replace the writer's state database by the published snapshot when
    another workspace published last (its manifest is the truth); True if it did."""
    head = published_head(client, base)
    mine = state_db.DB_FILE
    marker = state_dir / "published_head.json"
    if head is None or _marker(marker) == head["gen"]:
        return False
    download(client, base, head, state_dir / f"{mine}.pulled")
    for leftover in (state_dir / (mine + s) for s in ("-wal", "-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()
    os.replace(state_dir / f"{mine}.pulled", state_dir / mine)
    marker.write_text(json.dumps({"gen": head["gen"]}))
    return True


def remember_published(state_dir: Path, head: dict[str, Any]) -> None:
    (state_dir / "published_head.json").write_text(json.dumps({"gen": head["gen"]}))


def _marker(path: Path) -> str | None:
    try:
        gen = json.loads(path.read_text()).get("gen")
    except (OSError, ValueError):
        return None
    return str(gen) if gen else None
