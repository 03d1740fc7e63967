"""SQL shown syntax-highlighted (Pygments through Rich), with a copy button."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class SqlView(Vertical):
    DEFAULT_CSS = """
    SqlView { height: auto; }
    SqlView > .sql-text { height: auto; padding: 0 1; }
    SqlView > Horizontal { height: auto; }
    SqlView Button { min-width: 8; height: 1; border: none; margin: 0 1 0 0; }
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
        with Horizontal():
            yield Button("copy SQL", classes="copy-sql", variant="default")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("copy-sql"):
            event.stop()
            self.app.copy_to_clipboard(self.sql)
            self.notify("SQL copied to the clipboard.", timeout=2)
