"""Loaders: what gets indexed, and a one-line reason for everything that does not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexes.loaders import Document, Skipped, SourceFile, discover, load_document
from tests.docs.conftest import write


def _load(path: Path, root: Path, max_bytes: int = 5 * 1024 * 1024) -> Document | Skipped:
    return load_document(SourceFile(path, path.relative_to(root).as_posix()), max_bytes)


def test_markdown_front_matter_becomes_metadata_and_body_lines_are_kept(tmp_path: Path) -> None:
    p = write(
        tmp_path / "a.md",
        "---\ntitle: A doc\ndate: 2026-10-01\nauthors: [Ann, Bo]\n---\n# A doc\n\nBody.\n",
    )
    doc = _load(p, tmp_path)
    assert isinstance(doc, Document)
    assert doc.metadata == {"title": "A doc", "date": "2026-10-01", "authors": "Ann, Bo"}
    assert doc.body_start_line == 6
    assert doc.text.startswith("# A doc")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bin.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.md", "caf\xe9 cr\xe8me".encode("latin-1"), "not valid UTF-8"),
        ("empty.txt", b"", "empty file"),
        ("blank.rst", b"  \n\n\t\n", "empty file"),
        ("only-fm.md", b"---\ntitle: x\n---\n\n", "no text besides front matter"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    result = _load(p, tmp_path)
    assert isinstance(result, Skipped)
    assert reason in result.reason


def test_a_file_over_the_size_limit_is_skipped_without_reading_it(tmp_path: Path) -> None:
    p = tmp_path / "huge.md"
    with p.open("wb") as fh:  # a sparse 50 MB file: cheap to create
        fh.truncate(50 * 1024 * 1024)
    result = _load(p, tmp_path)
    assert isinstance(result, Skipped)
    # in the unit of the setting (docs.max_file_mb = 5.0 means 5 × 1024 × 1024 bytes)
    assert result.reason == "too large: 50.0 MB > 5.0 MB (docs.max_file_mb)"


def test_symlink_loops_and_unsupported_types_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "a.md", "# A\n\ntext\n")
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    (tmp_path / "docs" / "self.md").symlink_to(tmp_path / "docs" / "self.md")
    (tmp_path / "docs" / "image.png").write_bytes(b"\x89PNG")
    files, skipped, _ = discover([tmp_path / "docs"], tmp_path)
    assert [f.rel for f in files] == ["docs/a.md"]
    reasons = {s.path: s.reason for s in skipped}
    assert reasons["docs/loop"].startswith("symlink loop")
    assert reasons["docs/self.md"].startswith("symlink loop")
    assert reasons["docs/image.png"].startswith("unsupported file type `.png`")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_skipped(tmp_path: Path) -> None:
    p = write(tmp_path / "secret.md", "# Secret\n")
    p.chmod(0)
    result = _load(p, tmp_path)
    assert isinstance(result, Skipped)
    assert result.reason.startswith("unreadable")


def test_a_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    p = tmp_path / "pipe.md"
    os.mkfifo(p)
    result = _load(p, tmp_path)
    assert isinstance(result, Skipped)
    assert result.reason == "not a regular file"
