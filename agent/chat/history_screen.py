"""The history screen: earlier conversations, newest first; choosing one reopens it."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent.chat.saved_conversations import SavedConversation


class HistoryScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Close")]
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical { width: 90%; max-width: 110; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1; }
    HistoryScreen OptionList { height: 1fr; }
    """

    def __init__(self, conversations: list[SavedConversation]) -> None:
        super().__init__()
        self.conversations = conversations

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Earlier conversations[/] — Enter reopens, Escape closes")
            if not self.conversations:
                yield Static("[dim]None yet: conversations are kept once answered.[/]")
            yield OptionList(
                *(
                    Option(
                        f"{escape(c.started[:16].replace('T', ' '))}  {escape(c.title)}"
                        f"  [dim]({len(c.exchanges)} answers)[/]",
                        id=c.id,
                    )
                    for c in self.conversations
                )
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
