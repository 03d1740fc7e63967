"""Find and read documents: Markdown (front matter kept as metadata), plain text, reStructuredText.

Everything that cannot be indexed becomes a `Skipped` with a one-line reason instead of an
exception, so one bad file never stops a run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

SUFFIX_KINDS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".rst": "rst"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Document:
    path: str  # as stored in the index: relative to the root when possible, POSIX separators
    kind: str  # markdown | text | rst
    text: str  # body, front matter removed
    body_start_line: int  # 1-based line of `text`'s first line in the file
    metadata: dict[str, Any] = field(default_factory=dict)  # front matter, normalized
    sha256: str = ""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    path: Path  # the path as found (not resolved: a symlink keeps its own name)
    rel: str  # the key the index uses


def discover(paths: Iterable[Path], root: Path | None) -> tuple[list[SourceFile], list[Skipped]]:
    """Walk files and folders; return candidate files (sorted, unique) and skips with reasons.

    Directory symlinks are followed once; a loop (a folder reached again) is skipped.
    """
    found: dict[str, SourceFile] = {}
    skipped: list[Skipped] = []
    for base in paths:
        base = Path(base)
        if not base.exists() and not base.is_symlink():
            skipped.append(Skipped(relative_key(base, root), "path does not exist"))
            continue
        if base.is_dir():
            for item in _walk(base, root, skipped):
                found.setdefault(item.rel, item)
        else:
            found.setdefault(relative_key(base, root), SourceFile(base, relative_key(base, root)))
    files = []
    for rel in sorted(found):
        item = found[rel]
        if item.path.suffix.lower() not in SUFFIX_KINDS:
            skipped.append(
                Skipped(
                    rel,
                    f"unsupported file type `{item.path.suffix or '(none)'}` "
                    "(indexes .md, .markdown, .txt, .rst)",
                )
            )
        else:
            files.append(item)
    return files, skipped


def _walk(base: Path, root: Path | None, skipped: list[Skipped]) -> Iterator[SourceFile]:
    seen: set[tuple[int, int]] = set()
    stack = [base]
    while stack:
        folder = stack.pop()
        where = relative_key(folder, root)
        try:
            st = folder.stat()
        except OSError as exc:
            skipped.append(Skipped(where, f"cannot open folder: {_oserr(exc)}"))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            skipped.append(Skipped(where, "symlink loop: folder already visited"))
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(where, f"cannot list folder: {_oserr(exc)}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue  # .git, .lablens and editor droppings are never documentation
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError as exc:
                reason = (
                    "symlink loop: too many levels of symbolic links"
                    if exc.errno == errno.ELOOP
                    else f"cannot stat: {_oserr(exc)}"
                )
                skipped.append(Skipped(relative_key(path, root), reason))
                continue
            if is_dir:
                stack.append(path)
            elif entry.is_symlink() and not path.exists():
                skipped.append(Skipped(relative_key(path, root), "broken or looping symlink"))
            else:
                yield SourceFile(path, relative_key(path, root))


def relative_key(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
    return Path(os.path.abspath(path)).as_posix()


def _oserr(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_bytes(src: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | Skipped:
    """The file's bytes, or why it cannot be indexed (unreadable, too large, not a file)."""
    try:
        st = src.path.stat()
    except OSError as exc:
        return Skipped(src.rel, f"cannot stat: {_oserr(exc)}")
    if not stat.S_ISREG(st.st_mode):
        return Skipped(src.rel, "not a regular file")
    if st.st_size > max_bytes:
        return Skipped(
            src.rel,
            f"too large: {st.st_size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB (docs.max_file_mb)",
        )
    try:
        with src.path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(src.rel, f"unreadable: {_oserr(exc)}")
    if len(data) > max_bytes:
        return Skipped(src.rel, f"too large: grew past {max_bytes / 1e6:.1f} MB while reading")
    return data


def parse_document(src: SourceFile, data: bytes) -> Document | Skipped:
    """Decode and split front matter; reject empty, binary and non-UTF-8 files."""
    if b"\x00" in data[:_SNIFF_BYTES]:
        return Skipped(src.rel, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(src.rel, f"not valid UTF-8 (byte {exc.start})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Skipped(src.rel, "empty file")
    kind = SUFFIX_KINDS[src.path.suffix.lower()]
    metadata: dict[str, Any] = {}
    body, start = text, 1
    if kind == "markdown":
        metadata, body, start = split_front_matter(text)
        if not body.strip():
            return Skipped(src.rel, "no text besides front matter")
    return Document(
        path=src.rel,
        kind=kind,
        text=body,
        body_start_line=start,
        metadata=metadata,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(`metadata`, body, 1-based line where the body starts). Bad YAML keeps the text as is."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            import yaml

            try:
                raw = yaml.safe_load("\n".join(lines[1:i]))
            except yaml.YAMLError:
                return {}, text, 1
            if not isinstance(raw, dict):
                return {}, text, 1
            return normalize_metadata(raw), "\n".join(lines[i + 1 :]), i + 2
    return {}, text, 1


def normalize_metadata(raw: dict[Any, Any]) -> dict[str, Any]:
    """Flatten front matter into values Chroma and SQLite can store: str, int, float, bool."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = value.date().isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif not isinstance(value, str | int | float | bool):
            value = str(value)
        out[str(key)] = value
    return out


def load_document(src: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Skipped:
    data = read_bytes(src, max_bytes)
    return data if isinstance(data, Skipped) else parse_document(src, data)
