"""F1: the keymap and the slash commands, from the same tables the app binds."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from agent.chat.keymap import APP_KEYS, INPUT_KEYS, display_key
from agent.chat.slash import COMMANDS


def help_markdown() -> str:
    lines = ["# lablens chat — keys", "", "| key | does |", "|---|---|"]
    lines += [f"| {k} | {what} |" for k, what in INPUT_KEYS]
    lines += [f"| {display_key(k)} | {label} |" for k, _, label, _ in APP_KEYS]
    lines += ["", "## Slash commands", "", "| command | does |", "|---|---|"]
    lines += [f"| `/{n} {arg}`".rstrip() + f" | {what} |" for n, (arg, what) in COMMANDS.items()]
    lines += [
        "",
        "Ask in plain words: *how does the homefeed L1 ranker pick candidates?*, "
        "*saves per user by country last 14 days*, *how did hf_l1_ranker_v2 do?*. "
        "Follow-ups starting with *and…*, *what about…* refine the last question.",
        "",
        "Press Escape or F1 to close.",
    ]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(help_markdown())
