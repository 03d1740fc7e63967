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
from functools import lru_cache
from pathlib import Path
from typing import Any

from indexes.display_text import safe_str
from indexes.doc_dates import normalize_doc_date
from indexes.text_decoding import decode_text

SUFFIX_KINDS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".rst": "rst"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    path: str  # as stored in the index: relative to the root when possible, POSIX separators
    kind: str  # markdown | text | rst
    text: str  # body, front matter removed
    body_start_line: int  # 1-based line of `text`'s first line in the file
    metadata: dict[str, Any] = field(default_factory=dict)  # front matter, normalized
    sha256: str = ""
    warnings: tuple[str, ...] = ()  # indexed, but something in it was not understood


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    path: Path  # the path as found (not resolved: a symlink keeps its own name)
    rel: str  # the key the index uses


def discover(
    paths: Iterable[Path], root: Path | None
) -> tuple[list[SourceFile], list[Skipped], list[str]]:
    """Walk files and folders; return candidate files (sorted, unique), skips with reasons,
    and the keys of folders that could not be walked (missing, unreadable, looping): nothing
    indexed from under those may be taken for deleted.

    Directory symlinks are followed once; a loop (a folder reached again) is skipped.
    """
    found: dict[str, SourceFile] = {}
    skipped: list[Skipped] = []
    for base in paths:
        base = Path(base)
        key = relative_key(base, root)
        try:
            base.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                reason = "symlink loop: the path points back to itself"
            elif exc.errno == errno.ENOENT and not base.is_symlink():
                reason = "path does not exist"
            elif exc.errno == errno.ENOENT:
                reason = "broken symlink: its target does not exist"
            else:
                reason = f"cannot open: {_oserr(exc)}"
            skipped.append(Skipped(safe_str(key), reason))
            continue
        if base.is_dir():
            for item in _walk(base, root, skipped):
                found.setdefault(item.rel, item)
        else:
            found.setdefault(key, SourceFile(base, key))
    files = []
    for rel in sorted(found):
        item = found[rel]
        if safe_str(rel) != rel:
            # Such a name cannot be stored, printed or cited as text; the path stays escaped.
            skipped.append(Skipped(safe_str(rel), "file name is not valid UTF-8 (rename it)"))
        elif item.path.suffix.lower() not in SUFFIX_KINDS:
            skipped.append(
                Skipped(
                    rel,
                    f"unsupported file type `{item.path.suffix or '(none)'}` "
                    "(indexes .md, .markdown, .txt, .rst)",
                )
            )
        else:
            files.append(item)
    protected = [
        s.path
        for s in skipped
        if s.reason.startswith(("cannot", "symlink loop", "path does not exist", "broken"))
    ]
    return files, skipped, protected


def _walk(base: Path, root: Path | None, skipped: list[Skipped]) -> Iterator[SourceFile]:
    seen: set[tuple[int, int]] = set()
    stack = [base]
    while stack:
        folder = stack.pop()
        where = safe_str(relative_key(folder, root))
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
                dangling = not is_dir and entry.is_symlink() and not path.exists()
            except OSError as exc:
                reason = (
                    "symlink loop: too many levels of symbolic links"
                    if exc.errno == errno.ELOOP
                    else f"cannot stat: {_oserr(exc)}"
                )
                skipped.append(Skipped(safe_str(relative_key(path, root)), reason))
                continue
            if is_dir:
                stack.append(path)
            elif dangling:
                skipped.append(
                    Skipped(safe_str(relative_key(path, root)), "broken or looping symlink")
                )
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


def _mb(n_bytes: float) -> str:
    """Bytes in the unit of `docs.max_file_mb` (MB of 1024 × 1024 bytes, as the limit is)."""
    return f"{n_bytes / 1024 / 1024:.1f} MB"


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
            f"too large: {_mb(st.st_size)} > {_mb(max_bytes)} (docs.max_file_mb)",
        )
    try:
        with src.path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(src.rel, f"unreadable: {_oserr(exc)}")
    if len(data) > max_bytes:
        return Skipped(src.rel, f"too large: grew past {_mb(max_bytes)} while reading")
    return data


def parse_document(src: SourceFile, data: bytes) -> Document | Skipped:
    """Decode (UTF-8, or UTF-16/32 with or without a BOM) and split front matter; reject
    empty, binary and undecodable files.

    Only `\n` and `\r\n` end a line, as for `grep -n`, `sed -n` and editors: a lone `\r`
    stays in its line, so cited line numbers match what people see.
    """
    text, why = decode_text(data)
    if text is None:
        return Skipped(src.rel, why)
    text = text.replace("\r\n", "\n")
    if not text.strip():
        return Skipped(src.rel, "empty file")
    kind = SUFFIX_KINDS[src.path.suffix.lower()]
    metadata: dict[str, Any] = {}
    body, start = text, 1
    warnings: list[str] = []
    if kind == "markdown":
        metadata, body, start = split_front_matter(text, warnings)
        if not body.strip():
            return Skipped(src.rel, "no text besides front matter")
    return Document(
        path=src.rel,
        kind=kind,
        text=body,
        body_start_line=start,
        metadata=metadata,
        sha256=hashlib.sha256(data).hexdigest(),
        warnings=tuple(warnings),
    )


def split_front_matter(
    text: str, warnings: list[str] | None = None
) -> tuple[dict[str, Any], str, int]:
    """(`metadata`, body, 1-based line where the body starts). Front matter that does not
    parse keeps the text as it is (with a warning), whatever the YAML library raises."""
    notes = warnings if warnings is not None else []
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                raw = _load_yaml("\n".join(lines[1:i]))
            except Exception as exc:  # YAMLError, RecursionError, ValueError…: never fatal
                notes.append(f"front matter ignored: not valid YAML ({type(exc).__name__})")
                return {}, text, 1
            if not isinstance(raw, dict):
                return {}, text, 1
            return normalize_metadata(raw, notes), "\n".join(lines[i + 1 :]), i + 2
    return {}, text, 1


def _load_yaml(text: str) -> Any:
    """YAML with timestamps left as text: `date: 2026-02-30` is then a value to report,
    not an exception, and every date goes through one normaliser."""
    import yaml

    return yaml.load(text, Loader=_text_date_loader())


@lru_cache(maxsize=1)
def _text_date_loader() -> Any:
    import yaml

    class TextDateLoader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    TextDateLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return TextDateLoader


def normalize_metadata(raw: dict[Any, Any], warnings: list[str] | None = None) -> dict[str, Any]:
    """Flatten front matter into values Chroma and SQLite can store: str, int, float, bool;
    `date` becomes ISO YYYY-MM-DD, or moves to `date_text` with a warning when it is not one."""
    notes = warnings if warnings is not None else []
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        name = safe_str(str(key))
        if name == "date":
            parsed = normalize_doc_date(value)
            if parsed.iso is not None:
                out[name] = parsed.iso
            else:
                out["date_text"] = safe_str(str(value))[:100]
                notes.append(f"date {parsed.problem}; left out of --since/--until filters")
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif not isinstance(value, str | int | float | bool):
            value = str(value)
        if isinstance(value, str):
            value = safe_str(value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            value = str(value)  # SQLite and Chroma hold 64-bit integers only
        out[name] = value
    return out


def load_document(src: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Skipped:
    data = read_bytes(src, max_bytes)
    return data if isinstance(data, Skipped) else parse_document(src, data)
