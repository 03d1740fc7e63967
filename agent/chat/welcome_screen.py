"""Shown when there is no workspace: what lablens needs and the two ways to get one."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static


class NoWorkspaceScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,ctrl+q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    NoWorkspaceScreen { align: center middle; }
    NoWorkspaceScreen > Vertical { width: 76; height: auto; border: thick $warning;
        padding: 1 2; background: $surface; }
    """

    def __init__(self, message: str, hint: str | None) -> None:
        super().__init__()
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        hint = f"\n[i]{escape(self.hint)}[/]" if self.hint else ""
        with Vertical():
            yield Static(
                "[b]No lablens workspace here[/]\n\n"
                f"{escape(self.message)}{hint}\n\n"
                "A workspace is a folder with a [b]lablens.toml[/]. To get one:\n\n"
                "  [b]lablens demo[/]   build the Pinlab demo workspace and try it\n"
                "  [b]lablens init[/]   start a workspace on your own warehouse\n\n"
                "then run [b]lablens chat --workspace DIR[/] (or from inside the folder).\n\n"
                "[dim]Press q to quit.[/]",
                id="no-workspace",
            )
