"""Command-palette entries (Ctrl+P): the chat's actions, searchable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name shown, app action, help)
ENTRIES: tuple[tuple[str, str, str], ...] = (
    ("Help: keys and commands", "help", "the keymap and the slash commands"),
    ("Toggle side panel", "toggle_panel", "catalog and experiments"),
    ("New conversation", "clear", "clear the conversation"),
    ("Export last result to CSV", "export('csv')", "write the last result table"),
    ("Export last result to Parquet", "export('parquet')", "write the last result table"),
    ("Export conversation to Markdown", "export('md')", "with the SQL and the sources"),
    ("Open an earlier conversation", "history", "conversations kept in .lablens/history.sqlite3"),
    ("Cancel the running answer", "cancel", "also stops its query"),
    ("Copy last SQL", "copy_sql", "to the clipboard"),
    ("Next theme", "next_theme", "the choice is remembered"),
)


class ChatCommands(Provider):
    async def _run(self, action: str) -> None:
        await self.app.run_action(action)

    async def discover(self) -> Hits:
        for name, action, help_text in ENTRIES:
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in ENTRIES:
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self._run, action), help=help_text
                )
