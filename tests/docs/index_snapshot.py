"""Everything a doc index holds, as plain data, to compare two indexes exactly. The mirror is
listed per chunk: (id, path, vector rounded to 5 decimals), by id."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from indexes.state_db import DB_FILE
from indexes.vector_store import DOCS_COLLECTION, open_client


def snapshot(state_dir: Path, chroma_url: str | None = None) -> dict[str, Any]:
    conn = sqlite3.connect(state_dir / DB_FILE)
    try:
        files = conn.execute("SELECT * FROM files ORDER BY path").fetchall()
        chunks = conn.execute("SELECT * FROM chunks ORDER BY id").fetchall()
        fts = conn.execute(
            "SELECT chunk_id, title, heading, body FROM chunks_fts ORDER BY chunk_id"
        ).fetchall()
        mirror = sorted(
            (cid, path, [round(float(x), 5) for x in vec])
            for path, ids, blob in conn.execute("SELECT path, chunk_ids, vectors FROM file_vectors")
            for cid, vec in zip(
                ids.split("\n"),
                np.frombuffer(blob, dtype=np.float32).reshape(len(ids.split("\n")), -1),
                strict=True,
            )
        )
        docs = conn.execute(
            "SELECT rowid, path, title, body FROM docs_fts ORDER BY path"
        ).fetchall()
        row = conn.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone()
    finally:
        conn.close()
    name = row[0] if row else DOCS_COLLECTION  # the generation's collection (generations.py)
    col = open_client(state_dir, chroma_url).get_collection(name)
    got = col.get(include=["documents", "metadatas", "embeddings"])
    vectors = sorted(
        zip(
            got["ids"],
            got["documents"],
            got["metadatas"],
            [[round(float(x), 5) for x in e] for e in got["embeddings"]],
            strict=True,
        )
    )
    return {
        "files": files,
        "chunks": chunks,
        "fts": fts,
        "docs_fts": docs,
        "chroma": vectors,
        "mirror": mirror,
    }
