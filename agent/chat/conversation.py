"""The conversation pane: questions and answers, scrolled to the newest (anchored) until the
person scrolls up to read."""

from __future__ import annotations

from rich.markup import escape
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent.chat.answer_view import AnswerView


class QuestionView(Static):
    DEFAULT_CSS = "QuestionView { height: auto; margin: 1 0 0 0; padding: 0 1; }"

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 2000 else text[:2000] + f"… (+{len(text) - 2000:,} chars)"
        super().__init__(f"[b]› {escape(shown)}[/]", classes="question")
        self.text = text


class Conversation(VerticalScroll):
    DEFAULT_CSS = "Conversation { height: 1fr; padding: 0 1; }"

    def on_mount(self) -> None:
        self.anchor()

    async def add_turn(self, question: str) -> AnswerView:
        view = AnswerView()
        await self.mount_all([QuestionView(question), view])
        self.anchor()
        return view

    async def add_note(self, markup: str) -> None:
        await self.mount(Static(markup, classes="notice"))
        self.anchor()

    async def clear_all(self) -> None:
        await self.remove_children()
