"""SQL shown syntax-highlighted (Pygments through Rich), with a copy button."""

from __future__ import annotations

from rich.syntax import Syntax
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


class CopyLink(Static):
    """A one-line clickable "copy SQL" (a Button needs three lines and draws its borders)."""

    DEFAULT_CSS = """
    CopyLink { width: auto; height: 1; padding: 0 1; color: $accent; text-style: underline; }
    CopyLink:hover { background: $boost; }
    """

    def __init__(self, sql: str) -> None:
        super().__init__("⧉ copy SQL", classes="copy-sql")
        self.sql = sql

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.app.copy_to_clipboard(self.sql)
        self.notify("SQL copied to the clipboard.", timeout=2)


class SqlView(Vertical):
    DEFAULT_CSS = """
    SqlView { height: auto; }
    SqlView > .sql-text { height: auto; padding: 0 1; }
    """

    def __init__(self, sql: str, *, dialect: str = "duckdb") -> None:
        super().__init__()
        self.sql = sql
        self.dialect = dialect

    def compose(self) -> ComposeResult:
        yield Static(
            Syntax(self.sql, "sql", theme="ansi_dark", word_wrap=True, background_color="default"),
            classes="sql-text",
        )
        yield CopyLink(self.sql)
