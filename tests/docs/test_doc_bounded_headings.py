"""A huge heading is copied into chunks only up to a bounded length: the index stays
proportional to the text, and dense search still sees the body."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from indexes.build import build_index
from indexes.chunking import MAX_HEADING_CHARS, MAX_TITLE_CHARS
from indexes.embedders import EmbedderSpec
from indexes.search import search_index
from indexes.state_db import DB_FILE
from tests.docs.conftest import write


def test_a_huge_heading_keeps_the_index_proportional_and_the_body_findable(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    heading = " ".join(f"word{i}" for i in range(12_000))  # ≈ 80 KB on one heading line
    body = "\n".join(
        f"Paragraph {i}: the quarantine bucket keeps malformed events for replay."
        for i in range(40)
    )
    doc = write(tmp_path / "docs" / "huge.md", f"# Huge\n\n## {heading}\n\n{body}\n")
    state = tmp_path / ".lablens"
    s = build_index([tmp_path / "docs"], state, embedder=loopback_spec, root=tmp_path)
    assert s.files_indexed == 1
    conn = sqlite3.connect(state / DB_FILE)
    headings = [r[0] for r in conn.execute("SELECT heading FROM chunks")]
    titles = [r[0] for r in conn.execute("SELECT title FROM chunks")]
    stored = conn.execute("SELECT SUM(LENGTH(text) + LENGTH(heading) + LENGTH(title)) FROM chunks")
    total_chars = stored.fetchone()[0]
    conn.close()
    assert max(len(h) for h in headings) <= MAX_HEADING_CHARS
    assert max(len(t) for t in titles) <= MAX_TITLE_CHARS
    # chunk text (with overlap) plus bounded labels: a small multiple of the file, not × chunks
    assert total_chars < 3 * doc.stat().st_size
    hits = search_index(
        "quarantine bucket keeps malformed events for replay",
        state,
        k=1,
        mode="dense",
        embedder=loopback_spec,
    )
    assert hits and "quarantine bucket" in hits[0].text
