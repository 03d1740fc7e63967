"""An error shown inline where it happened: title, message and the hint to act on."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static


def error_markup(title: str, message: str, hint: str | None) -> str:
    text = f"[b red]✗ {escape(title)}[/]\n{escape(message)}"
    if hint:
        text += f"\n[i]hint: {escape(hint)}[/]"
    return text


class ErrorBlock(Static):
    DEFAULT_CSS = """
    ErrorBlock { height: auto; border-left: thick $error; padding: 0 1; margin: 1 0 0 0; }
    """

    def __init__(self, title: str, message: str, hint: str | None = None) -> None:
        super().__init__(error_markup(title, message, hint), classes="error-block")
        self.title_text = title
        self.hint = hint
