"""Date expressions in a question -> an inclusive date range, resolved against a reference day.

`today` is the day relative dates count back from. When the data ends before the real today,
the caller passes the day after the data's last date, so "yesterday" is the last day of data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
}
# One day: ISO, "October 5[, 2026]", "5 October [2026]".
_DAY = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?!\d)(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})(?:,?\s+\d{{4}})?)"
)
_MONTH_ONLY = rf"(?:{_MONTH_RE})(?:\s+\d{{4}})?"
_POINT = rf"(?:{_DAY}|{_MONTH_ONLY}|yesterday|today)"
_N = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"


@dataclass(frozen=True)
class DateRange:
    start: date | None  # inclusive; None = open
    end: date | None  # inclusive; None = open
    label: str  # how the question said it, for the explanation
    span: tuple[int, int]  # characters of the question it came from


def find_date_range(question: str, today: date) -> DateRange | None:
    """The first date expression in the question, or None. Raises ValueError on an impossible
    date (e.g. February 30) so the planner can say so instead of guessing."""
    text = question.lower()
    for pattern, resolve in _PATTERNS:
        m = re.search(pattern, text)
        if m:
            start, end = resolve(m, today)
            return DateRange(start, end, question[m.start() : m.end()].strip(), m.span())
    return None


def _n(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _last_n(m: re.Match[str], today: date) -> tuple[date, date]:
    n = _n(m.group(1)) if m.group(1) else 1
    unit = m.group(2)
    days = n * {"day": 1, "week": 7, "fortnight": 14, "month": 30}[unit.rstrip("s")]
    return today - timedelta(days=days), today - timedelta(days=1)


def _month_range(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def _last_month(_m: re.Match[str], today: date) -> tuple[date, date]:
    first_this = today.replace(day=1)
    prev = first_this - timedelta(days=1)
    return _month_range(prev.year, prev.month)


def _this_month(_m: re.Match[str], today: date) -> tuple[date, date]:
    return today.replace(day=1), today


def parse_point(text: str, today: date) -> tuple[date, date]:
    """A single day or month -> its (first, last) day; a month without a year is the most
    recent one that has started by `today`."""
    t = text.strip().rstrip(".").lower()
    if t == "yesterday":
        d = today - timedelta(days=1)
        return d, d
    if t == "today":
        return today, today
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        d = date.fromisoformat(t)
        return d, d
    m = re.fullmatch(rf"({_MONTH_RE})\.?(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s+(\d{{4}}))?", t)
    if m is None:
        m2 = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})(?:,?\s+(\d{{4}}))?", t)
        if m2 is None:
            raise ValueError(f"not a date: {text!r}")
        month, year = _MONTHS[m2.group(2)], m2.group(3)
        day: int | None = int(m2.group(1))
    else:
        month = _MONTHS[m.group(1)]
        day = int(m.group(2)) if m.group(2) else None
        year = m.group(3)
    y = int(year) if year else (today.year if month <= today.month else today.year - 1)
    if day is None:
        return _month_range(y, month)
    d = date(y, month, day)
    return d, d


def _point(m: re.Match[str], today: date) -> tuple[date, date]:
    return parse_point(m.group(1), today)


def _since(m: re.Match[str], today: date) -> tuple[date | None, date | None]:
    return parse_point(m.group(1), today)[0], None


def _after(m: re.Match[str], today: date) -> tuple[date | None, date | None]:
    return parse_point(m.group(1), today)[1] + timedelta(days=1), None


def _before(m: re.Match[str], today: date) -> tuple[date | None, date | None]:
    return None, parse_point(m.group(1), today)[0] - timedelta(days=1)


def _between(m: re.Match[str], today: date) -> tuple[date, date]:
    lo, hi = parse_point(m.group(1), today)[0], parse_point(m.group(2), today)[1]
    if lo > hi:
        raise ValueError(f"the period starts after it ends: {m.group(0)!r}")
    return lo, hi


def _quarter(m: re.Match[str], today: date) -> tuple[date, date]:
    """'Q2 [2026]': a quarter without a year is the most recent one that has started."""
    q = int(m.group(1))
    year = int(m.group(2)) if m.group(2) else today.year
    if not m.group(2) and date(year, 3 * q - 2, 1) > today:
        year -= 1
    start = date(year, 3 * q - 2, 1)
    return start, _month_range(year, 3 * q)[1]


def _year(m: re.Match[str], _today: date) -> tuple[date, date]:
    y = int(m.group(1))
    return date(y, 1, 1), date(y, 12, 31)


def _last_year(_m: re.Match[str], today: date) -> tuple[date, date]:
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def _this_year(_m: re.Match[str], today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), today


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _last_quarter(_m: re.Match[str], today: date) -> tuple[date, date]:
    end = _quarter_start(today) - timedelta(days=1)
    return _quarter_start(end), end


def _this_quarter(_m: re.Match[str], today: date) -> tuple[date, date]:
    return _quarter_start(today), today


def _this_week(_m: re.Match[str], today: date) -> tuple[date, date]:
    return today - timedelta(days=today.weekday()), today


def _days_ago(m: re.Match[str], today: date) -> tuple[date, date]:
    d = today - timedelta(days=_n(m.group(1)))
    return d, d


def _day_before_yesterday(_m: re.Match[str], today: date) -> tuple[date, date]:
    d = today - timedelta(days=2)
    return d, d


# A week of a month is seven days counted from its first day (or back from its last), not a
# calendar week: "the first week of October" is October 1-7 whatever weekday the 1st is. The
# plan's explanation prints the dates, so the reading is always visible.
_ORDINAL_WEEKS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "last": -1, "final": -1,
}  # fmt: skip
_ORDINAL_RE = "|".join(_ORDINAL_WEEKS)


def _week_of_month(m: re.Match[str], today: date) -> tuple[date, date]:
    first, last = parse_point(m.group(2), today)
    k = _ORDINAL_WEEKS[m.group(1)]
    if k < 0:
        return last - timedelta(days=6), last
    start = first + timedelta(days=7 * (k - 1))
    return start, start + timedelta(days=6)


def _days_of_month(m: re.Match[str], today: date) -> tuple[date, date]:
    first, last = parse_point(m.group(3), today)
    n, length = _n(m.group(2)), (last - first).days + 1
    if not 1 <= n <= length:
        raise ValueError(f"{m.group(3).strip()} has {length} days, not {n}")
    if m.group(1) == "first":
        return first, first + timedelta(days=n - 1)
    return last - timedelta(days=n - 1), last


_Resolver = Callable[[re.Match[str], date], tuple[date | None, date | None]]

_PATTERNS: list[tuple[str, _Resolver]] = [
    (r"\b(?:on\s+)?(?:the\s+)?day\s+before\s+yesterday\b", _day_before_yesterday),
    (
        rf"\b(?:(?:in|during|for|over)\s+)?(?:the\s+)?({_ORDINAL_RE})\s+week\s+of\s+"
        rf"({_MONTH_ONLY})\b",
        _week_of_month,
    ),
    (
        rf"\b(?:(?:in|during|for|over)\s+)?(?:the\s+)?(first|last|final)\s+{_N}\s+days\s+of\s+"
        rf"({_MONTH_ONLY})\b",
        _days_of_month,
    ),
    (rf"\bbetween\s+({_POINT})\s+and\s+({_POINT})", _between),
    (rf"\bfrom\s+({_POINT})\s+(?:to|until|through|thru|till)\s+({_POINT})", _between),
    (rf"\b({_POINT})\s+(?:to|until|through|thru|till)\s+({_POINT})", _between),
    (rf"\b(?:since|starting|from)\s+({_POINT})(?:\s+(?:onwards?|on)\b)?", _since),
    (rf"\b(?:after|later\s+than)\s+({_POINT})", _after),
    (rf"\b(?:before|earlier\s+than|prior\s+to)\s+({_POINT})", _before),
    (r"\b(?:in\s+|during\s+)?(?:the\s+)?(?:last|previous)\s+month\b", _last_month),
    (r"\b(?:in\s+|during\s+)?(?:this\s+month|month\s+to\s+date)\b", _this_month),
    (r"\b(?:in\s+|during\s+)?(?:the\s+)?(?:last|previous)\s+quarter\b", _last_quarter),
    (r"\b(?:in\s+|during\s+)?(?:this\s+quarter|quarter\s+to\s+date)\b", _this_quarter),
    (r"\b(?:in\s+|during\s+)?(?:this\s+week|week\s+to\s+date)\b", _this_week),
    (rf"\b{_N}\s+days?\s+ago\b", _days_ago),
    (r"\b(?:in\s+|during\s+|for\s+)?(?:the\s+)?q([1-4])(?:\s+(\d{4}))?\b", _quarter),
    (r"\b(?:in\s+|during\s+)?(?:the\s+)?(?:last|previous)\s+year\b", _last_year),
    (r"\b(?:in\s+|during\s+)?(?:this\s+year|year\s+to\s+date)\b", _this_year),
    (r"\b(?:in|during|for)\s+((?:19|20)\d\d)\b(?![-/])", _year),
    (
        rf"\b(?:(?:in|over|during|for)\s+)?(?:the\s+)?(?:last|past|previous|trailing)\s+{_N}?\s*"
        r"(days?|weeks?|fortnights?|months?)\b",
        _last_n,
    ),
    (rf"\b(?:on\s+|in\s+|during\s+|for\s+)?({_POINT})\b", _point),
]
