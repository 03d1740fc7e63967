"""`Session(workspace).answer(question, history)`: one question in, a stream of events out.

The session opens the warehouse, the embedder and the model only when a question first needs
them (see resources.py). Offline, the router picks the tools and templates write the answer;
with a model, the model calls the same tools (llm_loop.py) and a grounding check verifies the
answer. Nothing here prints: the CLI and the chat UI render the events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.assistant.events import (
    AnswerReady,
    Event,
    Failed,
    Source,
    StepFinished,
    StepStarted,
    TextDelta,
)
from agent.assistant.resources import Resources
from tools.errors import LablensError

if TYPE_CHECKING:
    from agent.assistant.conversation import Turn
    from agent.assistant.names import KnownNames
    from agent.assistant.router import Route
    from agent.assistant.tools import AgentResult
    from agent.llm.model import ChatModel
    from agent.workspace import Workspace
    from indexes.embedders import Embedder

MAX_QUESTION_CHARS = 4000


class Cancelled(Exception):
    """Raised inside an answer after `Session.cancel()`; ends it with a Failed event."""


Steps = Generator[Event, None, "AgentResult | None"]


class Session:
    def __init__(
        self,
        workspace: Workspace | str | Path | None = None,
        *,
        use_llm: bool | None = None,
        model: ChatModel | None = None,
        embedder: Embedder | None = None,
        daily_series: bool = False,
    ) -> None:
        """`daily_series`: experiment summaries also carry the verdict's metrics by day (two
        more queries; for renderers that draw them, such as the chat)."""
        from agent.workspace import Workspace as _Workspace

        ws = workspace if isinstance(workspace, _Workspace) else _Workspace.open(workspace)
        self.workspace = ws
        self.resources = Resources(ws, model=model, embedder=embedder, daily_series=daily_series)
        self._use_llm = use_llm
        self._step_counter = 0
        self._names: KnownNames | None = None
        self.last_error: tuple[str, str] | None = None  # (title, message) of the last failed step
        self._cancelled = threading.Event()

    # -- public ------------------------------------------------------------------------------
    @property
    def llm_enabled(self) -> bool:
        if self._use_llm is False:
            return False
        if self._use_llm is None and not self.workspace.settings.llm.configured:
            return self.resources.model_given  # a model passed in counts as configured
        return True

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Iterator[Event]:
        """Events for one question: steps, text deltas, then AnswerReady or Failed (last)."""
        self._cancelled.clear()
        text = (question or "").strip()
        if not text:
            yield Failed(
                "Empty question",
                "There is no question to answer.",
                'Ask something, e.g. `lablens ask "how do we check for sample ratio mismatch?"`.',
            )
            return
        notes: list[str] = []
        if len(text) > MAX_QUESTION_CHARS:
            notes.append(
                f"The question was {len(text):,} characters long; only the first "
                f"{MAX_QUESTION_CHARS:,} were read."
            )
            text = text[:MAX_QUESTION_CHARS]
        try:
            if self.llm_enabled:
                from agent.assistant.llm_loop import answer_with_model

                yield from answer_with_model(self, text, history, notes)
            else:
                yield from self.answer_offline(text, history, notes)
        except Cancelled:
            yield Failed("Cancelled", "The answer was cancelled before it was complete.")
        except LablensError as exc:
            yield Failed(exc.title, clip_words(exc.message), exc.hint and clip_words(exc.hint))

    def cancel(self) -> None:
        """Stop the current answer (safe from another thread, e.g. a UI's cancel key): no new
        step or model turn starts, and a running query is cancelled where the warehouse can."""
        self._cancelled.set()
        self.resources.cancel_query()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def close(self) -> None:
        self.resources.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tools -------------------------------------------------------------------------------
    def new_step_id(self) -> str:
        self._step_counter += 1
        return f"step-{self._step_counter}"

    def execute_tool(
        self, step_id: str, tool_name: str, args: Mapping[str, object]
    ) -> StepFinished:
        """Run one tool (thread-safe: warehouse work is serialised by the resources' lock)."""
        from agent.assistant.tools import check_arguments, get_tool

        shown = dict(args)
        started = time.perf_counter()
        try:
            tool = get_tool(tool_name)
            checked = check_arguments(tool, args)
            result = tool.run(self.resources, checked)
        except LablensError as exc:
            error = clip_words(exc.message + (f" {exc.hint}" if exc.hint else ""))
            self.last_error = (exc.title, error)
            return StepFinished(
                step_id, tool_name, shown, False, exc.title, error=error, elapsed_ms=_ms(started)
            )
        return StepFinished(
            step_id,
            tool_name,
            shown,
            True,
            result.summary(),
            result=result,
            elapsed_ms=_ms(started),
        )

    def run_tool(
        self, tool_name: str, args: Mapping[str, object], step_id: str | None = None
    ) -> Steps:
        """Run one tool as a step: StepStarted, then StepFinished with the result or the error."""
        sid = step_id or self.new_step_id()
        if self.cancelled:
            raise Cancelled()
        yield StepStarted(sid, tool_name, dict(args))
        finished = self.execute_tool(sid, tool_name, args)
        yield finished
        return finished.result if finished.ok else None  # type: ignore[return-value]

    # -- offline -----------------------------------------------------------------------------
    def names(self) -> KnownNames:
        if self._names is None:
            from agent.assistant.names import known_names

            self._names = known_names(self.resources.catalog, self.resources.experiment_names())
        return self._names

    def mentioned_in_docs(self, token: str) -> bool:
        """True when the indexed docs contain `token` (a keyword lookup, no embedding)."""
        from indexes.search import search_index

        try:
            hits = search_index(token, self.workspace.state_dir, k=3, mode="lexical")
        except LablensError:
            return False
        return any(token.lower() in h.text.lower() for h in hits)

    def route(self, question: str, history: Sequence[Turn] = ()) -> Route:
        from agent.assistant.router import Route, route_question
        from agent.assistant.scope import refusal_for

        refusal = refusal_for(question)
        if refusal is not None:  # decided before anything is opened
            return Route("refuse", question, refusal=refusal)
        previous = history[-1].previous() if history else None
        return route_question(
            question, self.names(), previous, mentioned_in_docs=self.mentioned_in_docs
        )

    def answer_offline(
        self, question: str, history: Sequence[Turn] = (), notes: Sequence[str] = ()
    ) -> Iterator[Event]:
        from agent.assistant.offline import answer_route

        route = self.route(question, history)
        yield from answer_route(self, question, route, list(notes))


def finish(
    question: str,
    text: str,
    *,
    mode: str = "offline",
    grounded: bool = True,
    sources: Sequence[Source] = (),
    sql: Sequence[str] = (),
    notes: Sequence[str] = (),
    context: Mapping[str, str] | None = None,
    stream: bool = True,
) -> Iterator[Event]:
    """The answer's text as deltas (paragraph by paragraph), then AnswerReady."""
    if notes:
        text = text + "\n\n" + "\n".join(f"_Note: {n}_" for n in notes)
    if stream:
        paragraphs = text.split("\n\n")
        for i, para in enumerate(paragraphs):
            yield TextDelta(para + ("\n\n" if i < len(paragraphs) - 1 else ""))
    yield AnswerReady(
        question=question,
        text=text,
        mode="llm" if mode == "llm" else "offline",
        grounded=grounded,
        sources=tuple(dict.fromkeys(sources)),
        sql=tuple(sql),
        notes=tuple(notes),
        context=dict(context or {}),
    )


def clip_words(text: str, limit: int = 80) -> str:
    """`text` with any run of more than `limit` non-spaces shortened: an error message quoting a
    word from a huge question must not echo it back."""
    import re

    return re.sub(rf"\S{{{limit + 1},}}", lambda m: m.group(0)[:24] + "…", text)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
