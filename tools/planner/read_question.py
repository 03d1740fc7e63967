"""First pass over a question: the period, the time grain, ranking and numeric comparisons.

Each finder marks the tokens it used, so the catalog matcher only sees what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tools.errors import PlanningError
from tools.planner.dates import DateRange, find_date_range
from tools.planner.tokens import Token
from tools.planner.vocabulary import (
    ASCENDING,
    CHANGE_GRAINS,
    COMPARATORS,
    DESCENDING,
    GRAIN_UNITS,
    GRAIN_WORDS,
    MODE_WORDS,
    RANK_WORDS,
    SHARE_WORDS,
    TRAILING_COMPARATORS,
)

_GRAIN_LEADS = {"per", "by", "each", "every", "a", "which", "what"}
_LIMIT_LEADS = {"top", "bottom", "first", "which", "the", "what"}
DEFAULT_TOP = 10


@dataclass(frozen=True)
class Comparison:
    op: str
    value: float
    start: int  # first token of the comparator
    number: int  # token index of the number
    after: int | None = None  # first token after the comparison, when not number + 1


@dataclass
class Reading:
    """What the first pass found; `used` holds the token indexes it consumed."""

    tokens: list[Token]
    period: DateRange | None = None
    grain: str | None = None
    order: str | None = None  # asc | desc
    limit: int | None = None
    rank_cues: list[int] = field(default_factory=list)  # token indexes that start a ranking
    comparisons: list[Comparison] = field(default_factory=list)
    # Superlative words (token index, asc|desc): a ranking when there are groups, else MIN/MAX.
    superlatives: list[tuple[int, str]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    mode: bool = False  # "most common X"
    share: bool = False  # "share / percentage of ..."
    change: bool = False  # "week over week"


def read_question(
    question: str, tokens: list[Token], today: date, *, protected: set[int] | None = None
) -> Reading:
    """`protected` tokens belong to multi-word catalog names; cues may not consume them."""
    r = Reading(tokens)
    try:
        r.period = find_date_range(question, today)
    except ValueError as exc:
        raise PlanningError(
            f"Cannot read the period: {exc}.",
            hint="Write dates as 2026-10-05, 'October 5' or 'last 7 days'.",
        ) from None
    if r.period is not None:
        lo, hi = r.period.span
        # Overlap, not containment: "yesterday's" is the period plus a possessive.
        r.used |= {i for i, t in enumerate(tokens) if t.start >= lo and t.start < hi}
    keep = protected or set()
    r.used |= keep  # hide them from the cue finders for now
    _find_change(r)
    _find_times_idiom(r)
    _find_grain(r)
    _find_mode_and_share(r)
    _find_comparisons(r)
    _find_ranking(r)
    r.used -= keep - _period_tokens(r)
    return r


def _period_tokens(r: Reading) -> set[int]:
    if r.period is None:
        return set()
    lo, hi = r.period.span
    return {i for i, t in enumerate(r.tokens) if t.start >= lo and t.start < hi}


def _find_change(r: Reading) -> None:
    toks = r.tokens
    for i in range(len(toks) - 2):
        a, over, b = toks[i].stem, toks[i + 1].lower, toks[i + 2].stem
        if a == b and over == "over" and a in CHANGE_GRAINS and not {i, i + 1, i + 2} & r.used:
            r.grain, r.change = CHANGE_GRAINS[a], True
            r.used |= {i, i + 1, i + 2}
            return


def _find_times_idiom(r: Reading) -> None:
    """'how many times was it bought', 'the number of times ...': how often, a total of the
    measure that follows, so 'times' is part of the counting phrase, not a time column."""
    toks = r.tokens
    for i in range(1, len(toks)):
        if toks[i].lower != "times" or i in r.used:
            continue
        before = [t.lower for t in toks[max(0, i - 2) : i]]
        if before[-1:] == ["many"]:
            r.used.add(i)
        elif before == ["number", "of"]:  # not 'the number of <things>', a distinct count
            r.used |= {i - 2, i - 1, i}


def _find_mode_and_share(r: Reading) -> None:
    toks = r.tokens
    for i, t in enumerate(toks):
        if i in r.used:
            continue
        if t.stem in MODE_WORDS and i > 0 and toks[i - 1].stem in DESCENDING:
            r.mode, r.order, r.limit = True, "desc", r.limit or 1
            r.used |= {i - 1, i}
            r.rank_cues.append(i)
        elif t.stem in SHARE_WORDS:
            r.share = True
            r.used.add(i)


def _find_grain(r: Reading) -> None:
    toks = r.tokens
    for i, t in enumerate(toks):
        if i in r.used:
            continue
        if t.lower in GRAIN_WORDS:
            r.grain = GRAIN_WORDS[t.lower]
            r.used.add(i)
        elif (
            t.lower in _GRAIN_LEADS
            and i + 1 < len(toks)
            and i + 1 not in r.used
            and toks[i + 1].stem in GRAIN_UNITS
            and not _followed_by_per(toks, i + 1)
        ):
            r.grain = GRAIN_UNITS[toks[i + 1].stem]
            r.used |= {i, i + 1}


def _followed_by_per(toks: list[Token], i: int) -> bool:
    # "active days per user" names a metric, not a daily grain.
    return i + 1 < len(toks) and toks[i + 1].lower == "per"


def _find_comparisons(r: Reading) -> None:
    toks = r.tokens
    i = 0
    while i < len(toks):
        hit = None
        for words, op in COMPARATORS:
            n = len(words)
            window = [t.lower for t in toks[i : i + n]]
            if window == list(words) and not any(j in r.used for j in range(i, i + n)):
                k = i + n
                if k < len(toks) and toks[k].is_number and k not in r.used:
                    hit = Comparison(op, float(toks[k].lower), i, k)
                break
        if hit is None:
            hit = _trailing_comparison(r, i)
        if hit is None:
            i += 1
            continue
        r.comparisons.append(hit)
        r.used |= set(range(hit.start, hit.number + 1))
        if _next_is(toks, hit.number, "times"):  # "saved more than 20 times": a count
            r.used.add(hit.number + 1)
        i = hit.number + 1


def _is_superlative(t: Token) -> bool:
    return t.stem in DESCENDING or t.stem in ASCENDING


def _trailing_comparison(r: Reading, i: int) -> Comparison | None:
    """'100 or more': the number first, then the comparison ('at least 100')."""
    toks = r.tokens
    if i in r.used:
        return None
    if toks[i].lower.endswith("+") and toks[i].lower[:-1].isdigit():
        # "100+ impressions" (a value named "55+" is protected before this runs).
        return Comparison(">=", float(toks[i].lower[:-1]), i, i, after=i + 1)
    if not toks[i].is_number:
        return None
    for words, op in TRAILING_COMPARATORS:
        n = len(words)
        window = [t.lower for t in toks[i + 1 : i + 1 + n]]
        if window == list(words) and not any(j in r.used for j in range(i + 1, i + 1 + n)):
            r.used |= set(range(i + 1, i + 1 + n))
            return Comparison(op, float(toks[i].lower), i, i, after=i + 1 + n)
    return None


def _next_is(toks: list[Token], i: int, word: str) -> bool:
    return i + 1 < len(toks) and toks[i + 1].lower == word


def _the_top_of_which(toks: list[Token], i: int) -> bool:
    return (
        toks[i].stem in ("top", "bottom")
        and i > 0
        and toks[i - 1].lower == "the"
        and i + 1 < len(toks)
        and not toks[i + 1].is_number
        and not toks[i + 1].lower.endswith("s")  # "which are the top pins": a ranked list
        and (
            any(t.lower in ("which", "what") for t in toks[: i - 1])
            # "surface with the top hide rate": a singular noun that has it, one answer.
            or (
                i >= 3
                and toks[i - 2].lower in ("with", "has", "had", "having")
                and not toks[i - 3].lower.endswith("s")
                and not toks[i - 3].is_number
            )
        )
    )


def _find_ranking(r: Reading) -> None:
    toks = r.tokens
    for i, t in enumerate(toks):
        if i in r.used:
            continue
        s = t.stem
        if _the_top_of_which(toks, i):
            # "which surface had the top hide rate": the highest, one answer (no top-10 list).
            r.superlatives.append((i, "desc" if s == "top" else "asc"))
            r.used.add(i)
        elif s in ("top", "bottom") or (
            s == "first" and i + 1 < len(toks) and toks[i + 1].is_number
        ):
            r.order = r.order or ("asc" if s == "bottom" else "desc")
            r.rank_cues.append(i)
            r.used.add(i)
            if i + 1 < len(toks) and toks[i + 1].is_number and i + 1 not in r.used:
                r.limit = int(float(toks[i + 1].lower))
                r.used.add(i + 1)
            else:
                r.limit = r.limit or DEFAULT_TOP
        elif t.lower in RANK_WORDS and (s.startswith("rank") or _next_is(toks, i, "by") or i == 0):
            # "order platforms by ...": a leading command ranks whatever follows.
            # Exact words: "orders by status" is a table of orders, not "order by".
            r.order = r.order or "desc"
            r.rank_cues.append(i)
            r.used.add(i)
        elif (
            t.is_number
            and i not in r.used
            and "." not in t.lower
            and (
                (i > 0 and toks[i - 1].lower in _LIMIT_LEADS)
                # "three categories with the most pins": a leading count of what is ranked.
                or (i == 0 and any(_is_superlative(x) for x in toks[1:]))
                # "10 most saved pins", "worst 3 surfaces": a count beside a superlative.
                or (i + 1 < len(toks) and _is_superlative(toks[i + 1]))
                or (i > 0 and _is_superlative(toks[i - 1]) and i + 1 < len(toks))
            )
        ):
            r.limit = int(t.lower)
            r.rank_cues.append(i)
            r.used.add(i)
    for i, t in enumerate(toks):
        if i in r.used:
            continue
        if t.stem in DESCENDING or t.stem in ASCENDING:
            r.superlatives.append((i, "desc" if t.stem in DESCENDING else "asc"))
