"""`ChatApp`: the lablens chat. It renders the core's events; every call into the core runs in
a thread worker and touches widgets only through `call_from_thread`.

The module imports Textual and nothing of the core, so the window paints first; the
workspace, warehouse and Session open in a worker right after (`core_link.open_core`). What
an event shows is in `event_render.py`, slash commands in `slash_commands.py`, earlier
conversations in `reopen.py`, exports in `export_command.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from agent.chat.answer_view import AnswerView
from agent.chat.conversation import Conversation
from agent.chat.event_render import render_event
from agent.chat.export_command import export_conversation
from agent.chat.help_screen import HelpScreen
from agent.chat.keymap import APP_KEYS
from agent.chat.messages import PromptSubmitted, ReferenceChosen
from agent.chat.opened_view import show_opened
from agent.chat.palette import ChatCommands
from agent.chat.preferences import load_theme, save_theme
from agent.chat.prompt_input import PromptInput
from agent.chat.reopen import reopen, resume_last, saved_conversations
from agent.chat.side_panel import SidePanel
from agent.chat.slash import parse_slash
from agent.chat.slash_commands import run_slash
from agent.chat.status_bar import StatusBar
from agent.chat.transcript import Transcript, Turn

if TYPE_CHECKING:
    from collections.abc import Iterator

    from agent.assistant.conversation import Turn as CoreTurn
    from agent.assistant.events import Event
    from agent.chat.core_link import Opened

MIN_WIDTH, MIN_HEIGHT = 60, 16
MAX_QUESTION_CHARS = 20_000

CoreOpener = Callable[[str | None, bool | None], "Opened"]


def _default_opener(workspace: str | None, use_llm: bool | None) -> Opened:
    from agent.chat.core_link import open_core

    return open_core(workspace, use_llm=use_llm)


def _new_conversation_id() -> str:
    import uuid

    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


class ChatApp(App[int]):
    CSS_PATH = str(Path(__file__).with_name("chat.tcss"))  # absolute: subclasses live elsewhere
    TITLE = "lablens chat"
    show_timings = True  # step durations in block titles (off for snapshot tests)
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        ChatCommands
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, action, label, show=show) for key, action, label, show in APP_KEYS),
        Binding("ctrl+c", "cancel_or_copy", "Cancel", show=False, priority=True),
    ]

    def __init__(
        self,
        workspace: str | None = None,
        *,
        use_llm: bool | None = None,
        debug: bool = False,
        opener: CoreOpener | None = None,
        preferences: Path | None = None,
        resume: bool = False,
    ) -> None:
        super().__init__()
        self.workspace_arg = workspace
        self.use_llm = use_llm
        self.debug_mode = debug
        self.opener = opener or _default_opener
        self.preferences = preferences
        self.resume = resume
        self.opened: Opened | None = None
        self.transcript = Transcript()
        self.history: list[CoreTurn] = []  # what follow-ups read
        self.conversation_id = _new_conversation_id()
        self.answer_worker: Worker[None] | None = None
        self.current: tuple[AnswerView, Turn] | None = None
        self.painted_at: float | None = None
        self.cancel_ms: float | None = None  # how long the last cancel took to show
        self.ready_at: float | None = None
        self._pending: list[str] = []
        theme = load_theme(preferences)
        if theme and theme in self.available_themes:
            self.theme = theme

    # ---- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SidePanel()
        with Vertical(id="main"):
            yield Conversation(id="conversation")
            prompt = PromptInput(id="prompt")
            prompt.border_title = "Ask — Enter sends · Ctrl+J new line · F1 help"
            yield prompt
        yield StatusBar()
        yield Static(
            "[b]Make the window larger[/]\n"
            f"lablens chat needs at least {MIN_WIDTH}×{MIN_HEIGHT} characters.",
            id="too-small",
        )

    def on_mount(self) -> None:
        self.painted_at = time.perf_counter()
        self.query_one(SidePanel).display = self.size.width >= 110
        self._fit(self.size.width, self.size.height)
        self.query_one(PromptInput).focus()
        self.open_workspace()

    def on_unmount(self) -> None:
        if self.opened is not None:
            self.opened.core.cancel()
            self.opened.core.close()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        self.screen.set_class(width < MIN_WIDTH or height < MIN_HEIGHT, "too-small")

    def watch_theme(self, theme: str) -> None:
        if self.painted_at is not None:
            save_theme(theme, self.preferences)

    @property
    def conversation(self) -> Conversation:
        return self.query_one(Conversation)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    # ---- opening the workspace (background) ----------------------------------------------

    @work(thread=True, exclusive=True, group="open")
    def open_workspace(self) -> None:
        from tools.errors import LablensError, WorkspaceError

        try:
            opened = self.opener(self.workspace_arg, self.use_llm)
        except WorkspaceError as exc:
            self._ui(self._no_workspace, exc.message, exc.hint)
            return
        except LablensError as exc:
            self._ui(self._open_failed, exc.title, exc.message, exc.hint)
            return
        except Exception as exc:  # a bug: shown, never a crash
            self._ui(self._open_failed, "Internal error", self._bug_text(exc), None)
            return
        self._ui(self._opened, opened)

    def _no_workspace(self, message: str, hint: str | None) -> None:
        from agent.chat.welcome_screen import NoWorkspaceScreen

        self.push_screen(NoWorkspaceScreen(message, hint))

    async def _open_failed(self, title: str, message: str, hint: str | None) -> None:
        from agent.chat.error_block import ErrorBlock

        self.status.set(activity="not ready")
        await self.conversation.mount(ErrorBlock(title, message, hint))

    async def _opened(self, opened: Opened) -> None:
        self.opened = opened
        self.ready_at = time.perf_counter()
        await show_opened(self, opened)
        if self.resume:
            await resume_last(self)
        for question in self._pending:
            self.ask(question)
        self._pending.clear()

    # ---- asking ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.answer_worker is not None and self.answer_worker.is_running

    async def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        text = message.text
        slash = parse_slash(text)
        if slash is not None:
            await self.run_slash(slash.name, slash.argument)
            return
        self.ask(text.strip())

    def on_reference_chosen(self, message: ReferenceChosen) -> None:
        self.query_one(PromptInput).insert_reference(message.reference)

    def ask(
        self,
        question: str,
        *,
        shown: str | None = None,
        step: tuple[str, dict[str, object]] | None = None,
    ) -> None:
        """Answer `question` (or run one tool `step` for a slash command) in a worker."""
        self.run_worker(self._start_answer(question, shown or question, step), exclusive=False)

    async def _start_answer(
        self, question: str, shown: str, step: tuple[str, dict[str, object]] | None = None
    ) -> None:
        from agent.chat.error_block import ErrorBlock

        if len(question) > MAX_QUESTION_CHARS:
            await self.conversation.mount(
                ErrorBlock(
                    "Message too long",
                    f"{len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}.",
                    "Ask about the part that matters, or search for a phrase with /docs.",
                )
            )
            return
        if self.opened is None:
            self._pending.append(question)
            self.notify("Opening the workspace… your question runs as soon as it is ready.")
            return
        if self.busy:
            self.notify("An answer is running — Escape cancels it.", severity="warning")
            return
        view = await self.conversation.add_turn(shown)
        turn = Turn(question=shown)
        self.transcript.turns.append(turn)
        self.current = (view, turn)
        self.status.set(activity="answering… (Esc cancels)")
        core = self.opened.core
        events: Callable[[], Iterator[Event]]
        if step is not None:
            tool, args = step
            events = lambda: core.run_step(tool, args, shown)  # noqa: E731
        else:
            history = list(self.history)
            events = lambda: core.answer(question, history)  # noqa: E731
        self.answer_worker = self._answer(events, view, turn)

    @work(thread=True, exclusive=True, group="answer")
    def _answer(self, events: Callable[[], Iterator[Event]], view: AnswerView, turn: Turn) -> None:
        worker = get_current_worker()
        try:
            for event in events():
                if worker.is_cancelled:
                    return
                self._ui(self._render, view, turn, event, worker)
        except Exception as exc:
            if worker.is_cancelled:
                return
            from tools.errors import LablensError

            if isinstance(exc, LablensError):
                title, message, hint = exc.title, exc.message, exc.hint
            else:
                title, message, hint = "Internal error", self._bug_text(exc), None
            from agent.assistant.events import Failed

            self._ui(self._render, view, turn, Failed(title, message, hint), worker)
        finally:
            if not worker.is_cancelled:
                self._ui(self._finished, view)

    async def _render(
        self, view: AnswerView, turn: Turn, event: Event, worker: Worker[None]
    ) -> None:
        if worker.is_cancelled:
            return  # a cancelled answer's late events are dropped
        await render_event(self, view, turn, event)

    def _finished(self, view: AnswerView) -> None:
        if self.current is not None and self.current[0] is view:
            self.current = None
        self.status.set(activity="ready")

    def _ui(self, fn: Callable[..., object], *args: object) -> None:
        """Run `fn` (sync or async) on the UI thread and wait for it; worker threads only."""
        caller: Callable[..., object] = self.call_from_thread
        caller(fn, *args)

    def _bug_text(self, exc: BaseException) -> str:
        if self.debug_mode:
            import traceback

            return "".join(traceback.format_exception(exc))
        return f"{type(exc).__name__}: {exc} (run with --debug for the traceback)"

    # ---- actions ------------------------------------------------------------------------

    async def action_cancel(self) -> None:
        if not self.busy or self.current is None:
            return
        began = time.perf_counter()
        view, turn = self.current
        if self.opened is not None:
            self.opened.core.cancel()  # stops the running query and the model stream
        if self.answer_worker is not None:
            self.answer_worker.cancel()
        turn.cancelled = True
        self.current = None
        await view.cancelled()
        self.status.set(activity="cancelled")
        self.cancel_ms = (time.perf_counter() - began) * 1000

    async def action_cancel_or_copy(self) -> None:
        if self.busy:
            await self.action_cancel()
            return
        focused = self.focused
        selected = getattr(focused, "selected_text", "")
        if selected:
            self.copy_to_clipboard(selected)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_panel(self) -> None:
        panel = self.query_one(SidePanel)
        panel.display = not panel.display
        if panel.display:
            panel.focus()
        else:
            self.query_one(PromptInput).focus()

    async def action_clear(self) -> None:
        await self.action_cancel()
        self.transcript = Transcript()
        self.history.clear()
        self.conversation_id = _new_conversation_id()
        await self.conversation.clear_all()

    def action_next_theme(self) -> None:
        themes = sorted(self.available_themes)
        self.theme = themes[(themes.index(self.theme) + 1) % len(themes)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_copy_sql(self) -> None:
        for turn in reversed(self.transcript.turns):
            if turn.sql:
                self.copy_to_clipboard(turn.sql[-1])
                self.notify("SQL copied to the clipboard.", timeout=2)
                return
        self.notify("No SQL in this conversation yet.", severity="warning")

    async def action_export(self, fmt: str, path: str = "") -> None:
        await export_conversation(self, fmt, path)

    def action_export_md(self) -> None:
        self.run_worker(self.action_export("md"))

    def action_history(self) -> None:
        from agent.chat.history_screen import HistoryScreen

        if self.opened is None:
            self.notify("The workspace is still opening.", severity="warning")
            return

        async def reopen_chosen(conversation_id: str | None) -> None:
            if conversation_id:
                await reopen(self, conversation_id)

        self.push_screen(HistoryScreen(saved_conversations(self)), reopen_chosen)

    # ---- slash commands -----------------------------------------------------------------

    async def run_slash(self, name: str, argument: str) -> None:
        await run_slash(self, name, argument)
