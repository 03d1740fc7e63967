"""One answer: its tool steps, the Markdown streamed in, then sources and notes."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

from agent.assistant.events import AnswerReady, Failed, StepFinished, StepStarted
from agent.chat.error_block import ErrorBlock
from agent.chat.step_block import StepBlock


class AnswerView(Vertical):
    DEFAULT_CSS = "AnswerView { height: auto; } AnswerView > .steps { height: auto; }"

    def __init__(self) -> None:
        super().__init__(classes="answer")
        self.steps: dict[str, StepBlock] = {}
        self.text = ""
        self._stream: MarkdownStream | None = None

    def compose(self) -> ComposeResult:
        yield Vertical(classes="steps")
        yield Markdown("", classes="answer-text")

    @property
    def markdown(self) -> Markdown:
        return self.query_one(".answer-text", Markdown)

    def step_started(self, event: StepStarted) -> None:
        block = StepBlock(event)
        self.steps[event.step_id] = block
        self.query_one(".steps", Vertical).mount(block)

    def step_finished(self, event: StepFinished) -> None:
        block = self.steps.get(event.step_id)
        if block is None:  # a finish without a start still shows
            block = StepBlock(StepStarted(event.step_id, event.tool, event.input))
            self.steps[event.step_id] = block
            self.query_one(".steps", Vertical).mount(block)
            self.call_after_refresh(block.finish, event)
            return
        block.finish(event)

    async def write(self, text: str) -> None:
        if self._stream is None:
            self._stream = Markdown.get_stream(self.markdown)
        self.text += text
        await self._stream.write(text)

    async def close_stream(self) -> None:
        await self._stop_stream()

    async def _stop_stream(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    async def ready(self, event: AnswerReady) -> None:
        await self._stop_stream()
        if event.text.strip() != self.text.strip():
            # The core's final text is authoritative (e.g. after a grounding repair).
            self.text = event.text
            await self.markdown.update(event.text)
        parts = []
        if event.sources:
            cites = "\n".join(
                f"  [b]{escape(s.cite())}[/] [i]{escape(s.heading)}[/]" for s in event.sources
            )
            parts.append(Static(f"[dim]Sources[/]\n{cites}", classes="sources"))
        # Notes the answer text already states are not repeated under it.
        notes = [n for n in event.notes if n not in event.text]
        if event.mode == "llm" and not event.grounded:
            notes.insert(0, "Some statements could not be checked against the tool outputs.")
        for note in notes:
            parts.append(Static(f"[yellow]note:[/] {escape(note)}", classes="note"))
        tag = (
            "offline" if event.mode == "offline" else ("LLM, checked" if event.grounded else "LLM")
        )
        parts.append(Static(f"[dim]{tag}[/]", classes="answer-tag"))
        await self.mount_all(parts)

    async def failed(self, event: Failed) -> None:
        await self._stop_stream()
        for block in self.steps.values():
            if block.has_class("running"):
                block.cancel()
        await self.mount(ErrorBlock(event.title, event.message, event.hint))

    async def cancelled(self) -> None:
        await self._stop_stream()
        for block in self.steps.values():
            if block.has_class("running"):
                block.cancel()
        await self.mount(Static("[yellow]■ Cancelled.[/]", classes="cancelled"))
