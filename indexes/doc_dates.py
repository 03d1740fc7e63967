"""Dates that mean what they say: front-matter `date` values normalised to ISO `YYYY-MM-DD` at
index time, and the `--since/--until` bounds parsed from a small set of documented forms.

A value that is not a real date, or whose reading is ambiguous (10/01/2025: 1 October or
10 January?), is never stored as a date: it is reported and left out of date filters, because
comparing it as text would let it through or drop it at random.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from tools.errors import InputError

BOUND_FORMS = "YYYY-MM-DD, YYYY-MM (a whole month) or YYYY (a whole year)"
_MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
}
_MONTHS["sept"] = 9
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_ISO_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)


@dataclass(frozen=True)
class DocDate:
    """`iso` is the normalised date, or None with `problem` saying why the value is not one."""

    iso: str | None
    problem: str | None = None


def normalize_doc_date(value: object) -> DocDate:
    """Read a front-matter date in the common forms (ISO, YYYY/MM/DD, D Month YYYY,
    Month D, YYYY, unambiguous D/M/Y or M/D/Y); anything else comes back with a problem."""
    if isinstance(value, datetime):
        return DocDate(value.date().isoformat())
    if isinstance(value, date):
        return DocDate(value.isoformat())
    if isinstance(value, bool) or not isinstance(value, str | int):
        return DocDate(None, f"`{value!r}` is not a date")
    text = str(value).strip()
    m = _ISO_DATETIME.fullmatch(text)
    if m:
        text = m.group(1)
    m = _YMD.fullmatch(text)
    if m:
        return _checked(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC_DMY.fullmatch(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a <= 12 and b <= 12 and a != b:
            return DocDate(
                None,
                f"`{text}` is ambiguous (day/month or month/day?): write it as YYYY-MM-DD",
            )
        day, month = (a, b) if a > 12 else (b, a)
        return _checked(text, year, month, day)
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        m = pattern.fullmatch(text)
        if m:
            day_s, month_s = (
                (m.group(1), m.group(2)) if order == "dmy" else (m.group(2), m.group(1))
            )
            month_no = _MONTHS.get(month_s.lower())
            if month_no is not None:
                return _checked(text, int(m.group(3)), month_no, int(day_s))
    return DocDate(None, f"`{text[:40]}` is not a date (write it as YYYY-MM-DD)")


def _checked(text: str, year: int, month: int, day: int) -> DocDate:
    try:
        return DocDate(date(year, month, day).isoformat())
    except ValueError:
        return DocDate(None, f"`{text}` is not a real date")


def parse_date_bound(text: str, *, flag: str, end: bool) -> str:
    """The ISO day a `--since` (`end=False`: first day) or `--until` (`end=True`: last day)
    value stands for; anything but the documented forms is an `InputError`."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            day = calendar.monthrange(year, month)[1] if end else 1
            return date(year, month, day).isoformat()
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 12 if end else 1, 31 if end else 1).isoformat()
    except (ValueError, calendar.IllegalMonthError):
        pass
    raise InputError(
        f"{flag} {text!r} is not a date",
        hint=f"Use {BOUND_FORMS}; e.g. {flag} 2026-10-01 or {flag} 2026-10.",
    )
