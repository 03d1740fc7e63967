"""Chat conversations in the agent's history store (`.lablens/history.sqlite3`): each exchange
the chat writes carries its conversation id in its context, so a conversation can be listed
and reopened (`lablens chat --resume`, the history screen)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.assistant.history import Exchange

CONVERSATION_KEY = "chat_conversation"
SCAN_LIMIT = 2000  # exchanges read to list conversations; older ones stay searchable by `history`


@dataclass(frozen=True)
class SavedConversation:
    id: str
    started: str
    exchanges: tuple[Exchange, ...]  # oldest first

    @property
    def title(self) -> str:
        first = self.exchanges[0].question if self.exchanges else ""
        first = " ".join(first.split())
        return first if len(first) <= 60 else first[:59] + "…"


def group_conversations(exchanges: Sequence[Exchange]) -> list[SavedConversation]:
    """Exchanges (any order) → conversations, newest first; exchanges without an id (from
    `lablens ask`) are each a conversation of their own."""
    groups: dict[str, list[Exchange]] = {}
    for ex in sorted(exchanges, key=lambda e: e.id):
        key = ex.context.get(CONVERSATION_KEY) or f"ask-{ex.id}"
        groups.setdefault(key, []).append(ex)
    out = [SavedConversation(k, v[0].ts, tuple(v)) for k, v in groups.items()]
    out.sort(key=lambda c: c.exchanges[-1].id, reverse=True)
    return out
