"""The one date coercion: a warehouse value (date, datetime, ISO text) -> a `date`."""

from __future__ import annotations

from datetime import date, datetime


def as_date(value: object) -> date:
    """A day from a DATE, TIMESTAMP or ISO-8601 text value; ValueError for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) < 10:
        raise ValueError(f"not a date: {text[:40]!r}")
    return date.fromisoformat(text[:10])
