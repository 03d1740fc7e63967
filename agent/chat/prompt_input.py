"""The message input: multi-line, Enter sends, Ctrl+J (or Alt/Shift+Enter) for a new line,
Up/Down walk the messages sent before (on the first/last line, so editing still works)."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from agent.chat.keymap import NEWLINE_KEYS
from agent.chat.messages import PromptSubmitted


class PromptInput(TextArea):
    DEFAULT_CSS = """
    PromptInput { height: auto; min-height: 3; max-height: 10; }
    """

    def __init__(self, **kw: object) -> None:
        super().__init__(
            "",
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            **kw,  # type: ignore[arg-type]
        )
        self.sent: list[str] = []
        self._browse: int | None = None  # index into `sent` while walking history
        self._draft = ""

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        if key == "enter":
            event.stop()
            event.prevent_default()
            self.submit()
            return
        if key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if key == "up" and self.cursor_location[0] == 0 and self.sent:
            event.stop()
            event.prevent_default()
            self.history_back()
            return
        if key == "down" and self._browse is not None and self.cursor_at_last_line:
            event.stop()
            event.prevent_default()
            self.history_forward()
            return
        await super()._on_key(event)

    @property
    def cursor_at_last_line(self) -> bool:
        return self.cursor_location[0] == self.document.line_count - 1

    def submit(self) -> None:
        text = self.text
        if not text.strip():
            return
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._browse = None
        self.clear()
        self.post_message(PromptSubmitted(text))

    def history_back(self) -> None:
        if self._browse is None:
            self._draft = self.text
            self._browse = len(self.sent)
        self._browse = max(0, self._browse - 1)
        self._show(self.sent[self._browse])

    def history_forward(self) -> None:
        assert self._browse is not None
        self._browse += 1
        if self._browse >= len(self.sent):
            self._browse = None
            self._show(self._draft)
        else:
            self._show(self.sent[self._browse])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    def insert_reference(self, reference: str) -> None:
        before = self.text
        sep = "" if not before or before.endswith((" ", "\n")) else " "
        self.move_cursor(self.document.end)
        self.insert(sep + reference + " ")
        self.focus()
