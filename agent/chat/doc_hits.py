"""Doc search hits: `path:start-end`, the heading, and the snippet that matched."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from agent.chat.result_views import DocHit


def hits_markup(hits: list[DocHit]) -> str:
    if not hits:
        return "[dim]No passages matched.[/]"
    lines = []
    for h in hits:
        score = f" [dim]{h.score:.3f}[/]" if h.score is not None else ""
        lines.append(f"[b]{escape(h.cite())}[/]  [i]{escape(h.heading)}[/]{score}")
        lines.append(f"  [dim]{escape(h.snippet[:300])}[/]")
    return "\n".join(lines)


class DocHits(Static):
    DEFAULT_CSS = "DocHits { height: auto; padding: 0 1; }"

    def __init__(self, hits: list[DocHit]) -> None:
        super().__init__(hits_markup(hits))
        self.hits = hits
