"""Extractive answers from doc hits: the sentences that best match the question, each with the
exact `path:start-end` lines it came from (no words of our own, so nothing to hallucinate)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.assistant.events import Source

if TYPE_CHECKING:
    from indexes.search import Hit

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`*\"(])")
_WORD = re.compile(r"[a-z0-9_]+")
MAX_SENTENCES = 3
MAX_CHARS = 400


@dataclass(frozen=True)
class Sentence:
    text: str
    source: Source
    score: float


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word


def sentences_of(hit: Hit) -> list[tuple[str, int, int]]:
    """(sentence, first line, last line) of a hit's prose; headings, code and tables skipped."""
    out: list[tuple[str, int, int]] = []
    para: list[tuple[str, int]] = []

    def flush() -> None:
        if not para:
            return
        text = " ".join(t for t, _ in para)
        # Map each sentence back to the lines it spans through character offsets.
        offsets, pos = [], 0
        for t, line in para:
            offsets.append((pos, line))
            pos += len(t) + 1
        start = 0
        for piece in _SENTENCE_END.split(text):
            begin = text.find(piece, start)
            end = begin + len(piece)
            first = max(line for off, line in offsets if off <= begin)
            last = max(line for off, line in offsets if off < max(end, begin + 1))
            out.append((piece.strip(), first, last))
            start = end
        para.clear()

    lines = hit.text.splitlines()
    in_code = _starts_inside_code(lines)
    for i, raw in enumerate(lines):
        line = hit.start_line + i
        stripped = raw.strip()
        if stripped.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code or not stripped or stripped.startswith(("#", "|", "<", "---")):
            flush()
            continue
        para.append((stripped.lstrip("-*> ").replace("**", "").strip(), line))
    flush()
    # A sentence that ends in a colon introduces a list or table the answer does not quote.
    return [s for s in out if len(s[0]) > 20 and not s[0].endswith(":") and not _code_line(s[0])]


# Words that open a line of SQL, in the capitals SQL is written in within docs.
_SQL_OPENERS = frozenset(
    {
        *("SELECT", "FROM", "WHERE", "AND", "OR", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER"),
        *("ON", "GROUP", "ORDER", "HAVING", "LIMIT", "WITH", "UNION", "CASE", "WHEN", "ELSE"),
        *("END", "INSERT", "UPDATE", "DELETE", "CREATE"),
    }
)
_CODE_CHARS = frozenset("=(){}[]<>;")


def _code_line(text: str) -> bool:
    """A line (or sentence) that reads as code or SQL, not prose."""
    stripped = text.strip()
    if not stripped:
        return False
    first = stripped.split()[0]
    return (
        stripped.endswith((";", "{", "}"))
        or stripped.startswith(("--", "//"))
        or first in _SQL_OPENERS
        or sum(c in _CODE_CHARS for c in stripped) > 0.08 * len(stripped)
    )


def _starts_inside_code(lines: Sequence[str]) -> bool:
    """Whether a chunk begins inside a fenced block: chunks are cut by size, so one can start
    mid-block. Then its fences are odd in number and the lines before the first read as code
    (a chunk that ends mid-block has odd fences too, but prose before them)."""
    fences = [i for i, raw in enumerate(lines) if raw.strip().startswith("```")]
    if len(fences) % 2 == 0:
        return False
    before = [raw for raw in lines[: fences[0]] if raw.strip()]
    return bool(before) and sum(map(_code_line, before)) * 2 >= len(before)


def best_sentences(question: str, hits: Sequence[Hit], terms: Sequence[str]) -> list[Sentence]:
    """The best sentence of each of the top hits (most question words, short), in hit order.

    The top hit always contributes — it is the best passage even when its wording differs
    from the question — so the answer cites what the search ranked first.
    """
    stems = {_stem(t) for t in terms}
    picked: list[Sentence] = []
    for rank, hit in enumerate(hits[:MAX_SENTENCES]):
        scored = []
        for text, first, last in sentences_of(hit):
            found = {_stem(w) for w in _WORD.findall(text.lower())} & stems
            score = len(found) / math.sqrt(max(1, len(text.split())))
            if found or rank == 0:
                scored.append(
                    Sentence(_clip(text), Source(hit.path, hit.heading, first, last), score)
                )
        if scored:
            picked.append(max(scored, key=lambda s: s.score))
    return picked


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rsplit(" ", 1)[0] + " …"
