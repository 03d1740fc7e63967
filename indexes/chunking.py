"""Heading-aware chunking: sections from Markdown/RST headings, then line-aligned pieces that
fit the embedder's token budget with a small overlap. Pure functions over a `Document`.

Each chunk keeps the file path, the heading path ("Design > Negatives") and its exact
1-based start and end lines in the original file, so every answer can be cited.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from indexes.loaders import Document

TokenCounter = Callable[[list[str]], list[int]]

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RST_ADORN = re.compile(r"^([=\-~^\"'`*+#:.<>_])\1{2,}\s*$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
SPECIAL_TOKENS = 2  # [CLS] and [SEP] for BERT-family models; harmless slack for others
# Titles and headings are copied into every chunk of their section (FTS row, Chroma metadata,
# the embedding prefix): bounded, so a 80 KB heading line costs its own text once, not once per
# chunk, and never crowds the body out of the embedder's window. The full line stays in the body.
MAX_TITLE_CHARS = 160
MAX_HEADING_CHARS = 120  # per heading in the path "A > B > C"
MAX_HEADING_DEPTH = 6


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 256  # the embedder's input limit, special tokens included
    overlap_tokens: int = 32
    min_body_tokens: int = 64  # never squeeze a body below this, even with long headings


@dataclass(frozen=True)
class Chunk:
    id: str
    path: str
    ordinal: int
    title: str
    heading: str  # heading path joined with " > "; "" before the first heading
    start_line: int
    end_line: int
    text: str  # the lines as written in the file

    def embedding_text(self) -> str:
        """What the embedder sees: title and heading path give the chunk its context."""
        return context_prefix(self.title, self.heading) + self.text


@dataclass(frozen=True)
class _Section:
    heading_path: tuple[str, ...]
    lines: list[tuple[int, str]]  # (1-based file line, text)


def context_prefix(title: str, heading: str) -> str:
    parts = [title] + ([heading] if heading else [])
    return "\n".join(parts) + "\n\n"


def truncate_label(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters (… marks a cut)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def document_title(doc: Document) -> str:
    """The document's title, at most MAX_TITLE_CHARS characters."""
    return truncate_label(_full_title(doc), MAX_TITLE_CHARS)


def _full_title(doc: Document) -> str:
    title = doc.metadata.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    for line in doc.text.split("\n")[:50]:
        m = _ATX.match(line)
        if m and len(m.group(1)) == 1:
            return _clean_heading(m.group(2))
    for line in doc.text.split("\n"):
        if line.strip() and not _RST_ADORN.match(line):
            return line.strip()[:120] if doc.kind != "markdown" else PurePosixPath(doc.path).stem
    return PurePosixPath(doc.path).stem


def chunk_document(
    doc: Document, count_tokens: TokenCounter, options: ChunkingOptions | None = None
) -> list[Chunk]:
    """Split a document into cited, size-bounded chunks (deterministic for the same input)."""
    opts = options or ChunkingOptions()
    title = document_title(doc)
    sections = split_sections(doc)
    all_lines = [text for s in sections for _, text in s.lines]
    counts = iter(count_tokens(all_lines)) if all_lines else iter(())
    pieces: list[tuple[str, list[tuple[int, str]]]] = []
    for section in sections:
        names = tuple(truncate_label(n, MAX_HEADING_CHARS) for n in section.heading_path)
        if names and names[0] == title:  # the H1 repeats the title: cite "Model > Negatives"
            names = names[1:]
        heading = " > ".join(names[-MAX_HEADING_DEPTH:])
        sized = [(no, text, next(counts)) for no, text in section.lines]
        prefix_tokens = sum(count_tokens([context_prefix(title, heading)]))
        budget = max(opts.min_body_tokens, opts.max_tokens - SPECIAL_TOKENS - prefix_tokens)
        for group in _pack(sized, budget, opts.overlap_tokens, count_tokens):
            pieces.append((heading, group))
    chunks = []
    for ordinal, (heading, group) in enumerate(pieces):
        text = "\n".join(t for _, t in group)
        digest = hashlib.sha256(f"{doc.path}\0{ordinal}\0{heading}\0{text}".encode()).hexdigest()
        chunks.append(
            Chunk(
                id=digest[:32],
                path=doc.path,
                ordinal=ordinal,
                title=title,
                heading=heading,
                start_line=group[0][0],
                end_line=group[-1][0],
                text=text,
            )
        )
    return chunks


def split_sections(doc: Document) -> list[_Section]:
    """Sections in file order, each with its heading path; heading-only sections are dropped."""
    lines = doc.text.split("\n")
    headings = (
        _markdown_headings(lines)
        if doc.kind == "markdown"
        else (_rst_headings(lines) if doc.kind == "rst" else {})
    )
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    current: list[tuple[int, str]] = []
    path: tuple[str, ...] = ()
    skip_lines: set[int] = set()
    for idx, line in enumerate(lines):
        if idx in headings:
            _flush(sections, path, current)
            level, name, adornment_lines = headings[idx]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            path = tuple(n for _, n in stack)
            current = []
            skip_lines.update(adornment_lines)
        if idx in skip_lines:
            continue
        current.append((doc.body_start_line + idx, line))
    _flush(sections, path, current)
    return sections


def _flush(sections: list[_Section], path: tuple[str, ...], lines: list[tuple[int, str]]) -> None:
    while lines and not lines[-1][1].strip():
        lines.pop()
    while lines and not lines[0][1].strip():
        lines.pop(0)
    if len(lines) > (1 if path else 0):  # a heading alone says nothing: its children carry it
        sections.append(_Section(path, list(lines)))


def _markdown_headings(lines: list[str]) -> dict[int, tuple[int, str, list[int]]]:
    out: dict[int, tuple[int, str, list[int]]] = {}
    fence: str | None = None
    for idx, line in enumerate(lines):
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker[0]
            elif marker[0] == fence:
                fence = None
            continue
        if fence is None:
            h = _ATX.match(line)
            if h:
                out[idx] = (len(h.group(1)), _clean_heading(h.group(2)), [])
    return out


def _rst_headings(lines: list[str]) -> dict[int, tuple[int, str, list[int]]]:
    """Underlined (optionally overlined) titles; levels follow the order styles first appear."""
    out: dict[int, tuple[int, str, list[int]]] = {}
    styles: list[tuple[str, bool]] = []
    for idx in range(len(lines) - 1):
        text, under = lines[idx].rstrip(), lines[idx + 1].rstrip()
        if not text.strip() or _RST_ADORN.match(text) or not _RST_ADORN.match(under):
            continue
        if len(under) < len(text.strip()):
            continue
        over = idx > 0 and lines[idx - 1].rstrip() == under
        style = (under[0], over)
        if style not in styles:
            styles.append(style)
        adorn = [idx + 1] + ([idx - 1] if over else [])
        out[idx] = (styles.index(style) + 1, text.strip(), adorn)
    return out


def _clean_heading(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return text.replace("`", "").replace("**", "").strip()


def _pack(
    lines: list[tuple[int, str, int]], budget: int, overlap: int, count_tokens: TokenCounter
) -> list[list[tuple[int, str]]]:
    """Greedy line packing under `budget` tokens; each new group repeats the previous group's
    last lines up to `overlap` tokens. Over-long lines are split into word runs."""
    items: list[tuple[int, str, int]] = []
    for no, text, n in lines:
        items.extend(
            _split_long_line(no, text, n, budget, count_tokens) if n > budget else [(no, text, n)]
        )
    groups: list[list[tuple[int, str, int]]] = []
    current: list[tuple[int, str, int]] = []
    total = 0
    fresh = 0  # lines in `current` that are not overlap from the previous group
    for item in items:
        # +1 per line for the newline the tokenizer sees between lines
        if current and fresh and total + item[2] + 1 > budget:
            groups.append(current)
            current = _overlap_tail(current, overlap, budget - item[2] - 1)
            total = sum(n + 1 for *_, n in current)
            fresh = 0
        current.append(item)
        total += item[2] + 1
        fresh += 1
    if current and fresh:
        groups.append(current)
    return [[(no, text) for no, text, _ in g] for g in groups if any(t.strip() for _, t, _ in g)]


def _overlap_tail(
    group: list[tuple[int, str, int]], overlap: int, room: int
) -> list[tuple[int, str, int]]:
    tail: list[tuple[int, str, int]] = []
    used = 0
    for item in reversed(group[1:]):  # never repeat a whole group: progress is guaranteed
        if used + item[2] + 1 > min(overlap, room) or not item[1].strip():
            break
        tail.insert(0, item)
        used += item[2] + 1
    return tail


def _split_long_line(
    no: int, text: str, n: int, budget: int, count_tokens: TokenCounter
) -> list[tuple[int, str, int]]:
    words = text.split(" ")
    per_piece = max(1, int(len(words) * budget / max(n, 1) * 0.9))
    pieces = [" ".join(words[i : i + per_piece]) for i in range(0, len(words), per_piece)]
    out = []
    for piece, count in zip(pieces, count_tokens(pieces), strict=True):
        if count > budget and len(piece.split(" ")) > 1:
            out.extend(_split_long_line(no, piece, count, budget, count_tokens))
        elif count > budget:  # one enormous "word" (a URL, base64): cut by characters
            step = max(1, len(piece) * budget // (count + 1))
            out.extend((no, piece[i : i + step], budget) for i in range(0, len(piece), step))
        else:
            out.append((no, piece, count))
    return out
