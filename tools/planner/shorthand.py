"""Everyday analyst shorthand -> the words the planner reads, before any token is matched.

'day-by-day' -> 'daily', 'per-country' -> 'per country', 'seven-day total' -> 'last 7 days
total', 'DAU' -> 'daily active users', 'WoW' -> 'week over week', 'yday' -> 'yesterday',
'how big is' -> 'how many', 'the middle value' -> 'median'.
A word the catalog itself defines (a column named `mtd`, a value 'wow') keeps the catalog's
meaning: `known` says which words those are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.planner.tokens import NUMBER_WORDS

# Abbreviations with one meaning in analytics; each expands to words the planner knows.
_ABBREVIATIONS = {
    "dau": "daily active users",
    "wau": "weekly active users",
    "mau": "monthly active users",
    "wow": "week over week",
    "mom": "month over month",
    "qoq": "quarter over quarter",
    "yoy": "year over year",
    "yday": "yesterday",
    "yest": "yesterday",
    "mtd": "this month",
    "ytd": "this year",
    "pct": "percent",
    "wk": "week",
    "wks": "weeks",
    "w/w": "week over week",
    "m/m": "month over month",
}
_GRAIN_ADVERBS = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"}
# Spelled-out counts are the tokenizer's ("ninety-day" reads as a 90-day window), longest first
# so the alternation never stops at a prefix ("six" of "sixteen").
_NUMBER_VALUE = NUMBER_WORDS
_NUMBERS = sorted(NUMBER_WORDS, key=len, reverse=True)
# "one-day" / "single-day" stay: they ask for per-row extremes, not a window.
_N = r"(\d+|" + "|".join(_NUMBERS) + r")"
_WORD = re.compile(r"[A-Za-z][A-Za-z/]*")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
# Everyday phrasings with one reading, rewritten to the words the planner reads: "how big is
# the user base" counts, "how good is the score" asks for its value, "the middle value" is the
# median, "users who live in Japan" are users in Japan, "the month of October" is October.
_PHRASES = [
    (re.compile(p, re.IGNORECASE), words)
    for p, words in (
        (r"\bhow (?:big|large) (?:is|are)\b", "how many"),
        (r"\bhow (?:good|bad|high|low) (?:is|are|was|were)\b", "what is"),
        (r"\bmiddle value\b", "median"),
        (r"\b(?:live|lives|living|located|based|residing) in\b", "in"),
        (rf"\b(?:the )?month of (?={_MONTH})", ""),
        # "the 1st to the 10th of October" -> "October 1 to October 10"; "the 5th of May".
        (
            rf"\b(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\s+(to|through|thru|until|till)\s+"
            rf"(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\s+of\s+({_MONTH})",
            r"\4 \1 \2 \4 \3",
        ),
        (rf"\b(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\s+of\s+({_MONTH})", r"\2 \1"),
        # "video versus not", "by video or not", "video vs non-video": one row per flag value.
        (
            r"(?:,\s*|\bby\s+)([A-Za-z][\w-]*)\s+(?:versus|vs\.?|or)\s+(?:not|non-?\1)\b",
            r" by whether \1",
        ),
        # "video and non-video pins": one row per flag value, as "video versus not" above.
        (
            r"\b([A-Za-z][\w-]*)\s+(?:and|or|versus|vs\.?)\s+non-?\1\b",
            r"by whether \1",
        ),
        # "15 and 30 September", "the 1st to the 10th October": the month is said once.
        (
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(and|to|through|thru|until|till)\s+"
            rf"(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})",
            r"\4 \1 \2 \4 \3",
        ),
        # "October 1 to 10": the month is said once, before both days.
        (
            rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\s+(and|to|through|thru|until|till)\s+"
            rf"(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:days?|weeks?|months?|[:.,]?\d))",
            r"\1 \2 \3 \1 \4",
        ),
        # "a pair of countries" is two of them.
        (r"\b(?:a\s+)?pair\s+of\b", "2"),
        # "the least populated countries": the fewest rows, said of the groups themselves.
        (r"\b(most|least)\s+populated\b", r"\1"),
        # "the pins saved the most": the superlative before its verb, as "most saved pins".
        (r"\b([a-z]+ed)\s+(?:the\s+)?(most|least)\b(?!\s+[a-z]+s\b)", r"\2 \1"),
        # "the most-saved pins": the superlative and its measure, as two words.
        (r"\b(most|least|best|worst|top|highest|lowest)-(?=[a-z])", r"\1 "),
    )
]

_BASED = re.compile(r"\b([A-Za-z]+)-based\b", re.IGNORECASE)


def expand_shorthand(question: str, known: Callable[[str], bool]) -> str:
    """The question with shorthand spelt out; unchanged where nothing applies."""
    text = re.sub(
        r"\b(day|week|month|quarter)[- ]by[- ]\1\b",
        lambda m: _GRAIN_ADVERBS[m.group(1).lower()],
        question,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\bper-(?=[A-Za-z])", "per ", text, flags=re.IGNORECASE)
    # "seven-day total", "past 7-day": a trailing window of that many days.
    text = re.sub(
        rf"\b(?:(?:the\s+)?(?:last|past|trailing|previous)\s+)?{_N}-(day|week|month)\b",
        _trailing_window,
        text,
        flags=re.IGNORECASE,
    )
    for pattern, words in _PHRASES:
        text = pattern.sub(words, text)
    # "US-based creators" are creators in the US, unless the catalog names "X-based" itself.
    text = _BASED.sub(lambda m: m.group(0) if known(m.group(0)) else m.group(1), text)
    return _WORD.sub(lambda m: _abbreviation(m.group(0), known), text)


def _trailing_window(m: re.Match[str]) -> str:
    n = m.group(1).lower()
    return f"last {_NUMBER_VALUE.get(n, n)} {m.group(2).lower()}s"


def _abbreviation(word: str, known: Callable[[str], bool]) -> str:
    full = _ABBREVIATIONS.get(word.lower())
    if full is None or known(word):
        return word
    return full
