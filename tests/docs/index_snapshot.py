"""Everything a doc index holds, as plain data, to compare two indexes exactly."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from indexes.state_db import DB_FILE
from indexes.vector_store import DOCS_COLLECTION, open_client


def snapshot(state_dir: Path, chroma_url: str | None = None) -> dict[str, Any]:
    conn = sqlite3.connect(state_dir / DB_FILE)
    try:
        files = conn.execute("SELECT * FROM files ORDER BY path").fetchall()
        chunks = conn.execute("SELECT * FROM chunks ORDER BY id").fetchall()
        fts = conn.execute("SELECT chunk_id, title, heading, body FROM chunks_fts "
                           "ORDER BY chunk_id").fetchall()
    finally:
        conn.close()
    col = open_client(state_dir, chroma_url).get_collection(DOCS_COLLECTION)
    got = col.get(include=["documents", "metadatas", "embeddings"])
    vectors = sorted(zip(got["ids"], got["documents"], got["metadatas"],
                         [[round(float(x), 5) for x in e] for e in got["embeddings"]],
                         strict=True))
    return {"files": files, "chunks": chunks, "fts": fts, "chroma": vectors}
