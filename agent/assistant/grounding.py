"""The grounding check: every number in an answer traces to a tool output of this turn, and
every cited `path:lines` lies inside a passage retrieved in this turn.

A number is grounded when some tool figure, as is, ×100 or ÷100 (fraction ↔ percent), rounds
to it at the answer's own precision (sign ignored: "fell 1.4%" for -1.41%); thousands
separators are read. ISO dates must appear verbatim. Small counts (≤ 12, no unit) such as
"3 reasons" or "2 arms" are not checked; numbers inside fenced code (SQL) are not either — SQL
is checked by the validator, not by this.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agent.assistant.events import Source

_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_CITE = re.compile(r"([\w./-]+\.(?:md|markdown|txt|rst)):(\d+)(?:-(\d+))?")
_NUMBER = re.compile(r"(?<![\w.])[-+−±]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
SMALL_COUNT = 12


@dataclass(frozen=True)
class Grounding:
    unverified_numbers: tuple[str, ...] = ()
    unverified_citations: tuple[str, ...] = ()
    unverified_dates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.unverified_numbers or self.unverified_citations or self.unverified_dates)

    def describe(self) -> str:
        parts = []
        if self.unverified_numbers:
            parts.append("numbers not in any tool output: " + ", ".join(self.unverified_numbers))
        if self.unverified_dates:
            parts.append("dates not in any tool output: " + ", ".join(self.unverified_dates))
        if self.unverified_citations:
            parts.append(
                "citations of passages not retrieved in this turn: "
                + ", ".join(self.unverified_citations)
            )
        return "; ".join(parts)


def source_values(texts: Iterable[str], data: Iterable[object] = ()) -> list[float]:
    """Every figure in tool texts and tool dicts (nested), as floats."""
    values: list[float] = []
    for text in texts:
        for m in _NUMBER.finditer(text):
            values.append(_value(m))
        for m in re.finditer(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?", text):
            values.append(float(m.group(0)))
    stack = list(data)
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int | float) and math.isfinite(item):
            values.append(float(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return values


def _value(m: re.Match[str]) -> float:
    return float(m.group(1).replace(",", "") + (m.group(2) or ""))


def check_grounding(
    answer: str,
    *,
    tool_texts: Sequence[str],
    tool_data: Sequence[object] = (),
    retrieved: Sequence[Source] = (),
    question: str = "",
) -> Grounding:
    prose = _FENCE.sub(" ", answer)
    corpus = "\n".join([*tool_texts, question])
    bad_cites = []
    for m in _CITE.finditer(prose):
        path, start = m.group(1), int(m.group(2))
        end = int(m.group(3) or start)
        if not any(
            s.path == path and s.start_line <= start and end <= s.end_line for s in retrieved
        ):
            bad_cites.append(m.group(0))
    prose = _CITE.sub(" ", prose)
    bad_dates = [d for d in _DATE.findall(prose) if d not in corpus]
    prose = _DATE.sub(" ", prose)
    values = source_values([*tool_texts, question], tool_data)
    candidates = sorted({abs(c) for v in values for c in (v, v * 100, v / 100)})
    bad_numbers = []
    for m in _NUMBER.finditer(prose):
        number = abs(_value(m))
        decimals = len(m.group(2) or "") - (1 if m.group(2) else 0)
        if not m.group(2) and not m.group(3) and "," not in m.group(1) and number <= SMALL_COUNT:
            continue
        if not _rounds_from(number, decimals, candidates):
            bad_numbers.append(m.group(0).strip())
    return Grounding(
        tuple(dict.fromkeys(bad_numbers)),
        tuple(dict.fromkeys(bad_cites)),
        tuple(dict.fromkeys(bad_dates)),
    )


def _rounds_from(number: float, decimals: int, candidates: Sequence[float]) -> bool:
    tolerance = 0.5 * 10**-decimals + 1e-9
    import bisect

    i = bisect.bisect_left(candidates, number - tolerance)
    return i < len(candidates) and candidates[i] <= number + tolerance


def mark_unverified(answer: str, grounding: Grounding) -> str:
    """The answer with each unverified figure or citation followed by a visible marker."""
    out = answer
    for token in (
        *grounding.unverified_citations,
        *grounding.unverified_dates,
        *grounding.unverified_numbers,
    ):
        out = re.sub(
            rf"(?<![\w.]){re.escape(token)}(?![\w])(?! \[unverified\])",
            f"{token} [unverified]",
            out,
        )
    return out
