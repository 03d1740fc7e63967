"""Lines as people count them: only \\n and \\r\\n end a line (as for grep -n, sed -n and
editors), so every cited range holds exactly the lines `sed -n START,ENDp` prints."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.state_db import DB_FILE

pytestmark = pytest.mark.skipif(shutil.which("sed") is None, reason="needs sed")


def _mixed_corpus(root: Path) -> None:
    docs = root / "docs"
    docs.mkdir(parents=True)
    paras = [
        f"Paragraph {i} about ranking, with a progress bar\rredrawn in place." for i in range(30)
    ]
    (docs / "lone-cr.md").write_bytes(
        ("# Lone CR\n\n## Part A\n\n" + "\n\n".join(paras) + "\n").encode()
    )
    (docs / "crlf.md").write_bytes(
        ("---\r\ntitle: CRLF\r\n---\r\n# CRLF\r\n\r\n" + "\r\n".join(paras) + "\r\n").encode()
    )
    (docs / "mixed.txt").write_bytes(
        "\n".join(
            f"line {i}" + ("\r 50%" if i % 3 == 0 else "") + ("\r" if i % 4 == 0 else "")
            for i in range(200)
        ).encode()
        + b"\r\n"
    )


def test_every_cited_range_matches_sed(tmp_path: Path, loopback_spec: EmbedderSpec) -> None:
    _mixed_corpus(tmp_path)
    state = tmp_path / ".lablens"
    build_index([tmp_path / "docs"], state, embedder=loopback_spec, root=tmp_path)
    conn = sqlite3.connect(state / DB_FILE)
    rows = conn.execute("SELECT path, start_line, end_line, text FROM chunks").fetchall()
    conn.close()
    assert len({r[0] for r in rows}) == 3 and len(rows) > 6
    for path, start, end, text in rows:
        sed = subprocess.run(
            ["sed", "-n", f"{start},{end}p", str(tmp_path / path)],
            capture_output=True,
            check=True,
        ).stdout.decode()
        want = sed.replace("\r\n", "\n")
        want = want[:-1] if want.endswith("\n") else want
        # a chunk may begin or end inside a long line (split by words): then it is a part of it
        assert text == want or text in want, (path, start, end)
        assert text.split("\n")[0] in want.split("\n")[0] or want.split("\n")[0] in text
