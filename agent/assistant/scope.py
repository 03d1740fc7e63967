"""What lablens will not do, said plainly: actions it cannot take and questions it cannot read."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEAD = re.compile(r"^(please|pls|can you|could you|would you|will you|kindly|go|now)\s+", re.I)
# Requests that change data: the warehouse connection is read-only and no tool writes.
_WRITES = frozenset(
    [
        "delete",
        "drop",
        "insert",
        "update",
        "truncate",
        "alter",
        "create",
        "remove",
        "modify",
        "grant",
        "revoke",
        "merge",
    ]
)
# Actions outside a read-only question-answering tool.
_ACTIONS = frozenset(
    [
        "email",
        "mail",
        "send",
        "message",
        "notify",
        "slack",
        "text",
        "ping",
        "call",
        "train",
        "retrain",
        "finetune",
        "fine-tune",
        "deploy",
        "launch",
        "rollout",
        "roll",
        "schedule",
        "book",
        "buy",
        "order",
        "translate",
        "restart",
        "kill",
        "post",
        "publish",
        "upload",
        "download",
        "install",
        "print",
    ]
)
_OFF_TOPIC = frozenset(["weather", "joke", "poem", "song", "horoscope", "lottery"])
_FOREIGN = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "hay",
        "por",
        "qué",
        "que",
        "cuántos",
        "cuántas",
        "cuantos",
        "cómo",
        "dónde",
        "usuarios",
        "wie",
        "viele",
        "gibt",
        "es",
        "pro",
        "und",
        "der",
        "die",
        "das",
        "ist",
        "nicht",
        "welche",
        "nutzer",
        "le",
        "les",
        "des",
        "est",
        "combien",
        "quel",
        "quelle",
        "sont",
        "une",
        "avec",
        "pour",
        "quanti",
        "quante",
        "sono",
        "gli",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "were",
        "what",
        "how",
        "why",
        "which",
        "who",
        "when",
        "do",
        "did",
        "does",
        "of",
        "in",
        "on",
        "by",
        "for",
        "and",
        "to",
        "per",
        "many",
        "much",
        "last",
    ]
)
CAPABILITIES = (
    "lablens answers questions: it searches the design docs (`lablens search`), turns data "
    "questions into validated, read-only SQL (`lablens sql`) and summarizes experiments "
    "(`lablens experiment list`, `lablens experiment summarize ID`)."
)


@dataclass(frozen=True)
class Refusal:
    title: str
    message: str
    hint: str


def refusal_for(question: str) -> Refusal | None:
    """Why lablens cannot take this request, or None when it reads as a question it may answer."""
    text = question.strip()
    lowered = _LEAD.sub("", text.lower()).strip()
    first = re.split(r"[\s,.:;!?]+", lowered, maxsplit=1)[0] if lowered else ""
    if _non_english(text):
        return Refusal(
            "Question not in English",
            "lablens reads questions in English only.",
            'Ask again in English, e.g. `lablens ask "number of users by country"`. '
            + CAPABILITIES,
        )
    if first in _WRITES:
        return Refusal(
            "lablens is read-only",
            f"lablens is read-only: it cannot {first} anything in the warehouse or the docs.",
            "To look at the data instead, ask a question or run `lablens sql`. " + CAPABILITIES,
        )
    if first in _ACTIONS:
        return Refusal(
            "Out of scope",
            f"lablens can't {first} — it only reads and answers, and takes no actions.",
            CAPABILITIES,
        )
    if set(re.findall(r"[a-z]+", lowered)) & _OFF_TOPIC:
        return Refusal(
            "Out of scope",
            "lablens only knows the team's docs, warehouse and experiments.",
            CAPABILITIES,
        )
    return None


def _non_english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if sum(c.isascii() for c in letters) < len(letters) / 2:
        return True  # another script
    tokens = re.findall(r"\w+", text.lower())
    foreign = sum(t in _FOREIGN for t in tokens)
    english = sum(t in _ENGLISH for t in tokens)
    return foreign >= 2 and foreign > english
