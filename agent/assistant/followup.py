"""Offline follow-ups: "and by platform?", "only on web", "last 60 days instead" re-plan the
previous data question with the change; "its"/"that experiment" point at the last experiment."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE = re.compile(
    r"\b(?:(?:in|over|for|during)\s+the\s+)?(?:last|past|previous)\s+(?:\d+\s+)?"
    r"(?:days?|weeks?|months?)\b"
    r"|\b(?:in|during)\s+(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\b"
    r"|\b(?:yesterday|today|this week|this month|last week|last month)\b",
    re.I,
)
_BY = re.compile(r"^(?:and|also|now|then)?\s*(?:split|broken down|grouped)?\s*(?:by|per)\s+(.+)$")
_ONLY = re.compile(r"^(?:and|but|now)?\s*(?:only|just)\s+(?:on|for|in|from)?\s*(.+)$")
_ABOUT = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\s+(.+)$")
_INSTEAD = re.compile(r"^(.+?)\s+instead$")
_POINTER = re.compile(r"\b(its|it|this experiment|that experiment|this test|that test)\b", re.I)


@dataclass(frozen=True)
class Previous:
    """What a follow-up needs of the last exchange: its kind and the question it answered."""

    kind: str
    question: str
    experiment_id: str | None = None


def rewrite_followup(question: str, previous: Previous | None) -> str | None:
    """The previous data question with this change applied, or None if this is not a follow-up."""
    if previous is None or previous.kind != "data":
        return None
    q = question.strip().rstrip("?.! ").strip().lower()
    base = previous.question.rstrip("?.! ")
    if (m := _INSTEAD.match(q)) and _DATE.search(m.group(1)):
        return f"{_DATE.sub('', base).strip()} {m.group(1)}".replace("  ", " ")
    if _DATE.fullmatch(re.sub(r"^(?:and|but|now)\s+", "", q)):
        return f"{_DATE.sub('', base).strip()} {q.removeprefix('and ').strip()}"
    if m := _BY.match(q):
        return f"{base} by {m.group(1)}"
    if m := _ONLY.match(q):
        return f"{base} on {m.group(1)}"
    if m := _ABOUT.match(q):
        return f"{base} on {m.group(1)}"
    return None


def points_at_experiment(question: str, previous: Previous | None) -> str | None:
    """The previous experiment when the question refers to it ("its risk", "that test")."""
    if previous is None or previous.experiment_id is None:
        return None
    short = len(re.findall(r"\w+", question)) <= 3  # "why?", "tell me more", "how so?"
    return previous.experiment_id if short or _POINTER.search(question) else None
