"""LLM mode: the model calls the tools (streamed text and tool calls), bounded in steps and
errors; then the grounding check, one repair turn, and unverified parts marked.

Whatever goes wrong with the model — time-outs, rate limits, malformed or unknown tool calls,
empty replies, a loop on one tool — ends within the bounds below in a clear note and the
offline answer. Model output is data: only SQL that passed the validator reaches the warehouse
(run_sql goes through `run_validated`), and no other text it writes is executed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from agent.assistant.events import Event, Source, StepFinished, StepStarted, TextDelta
from agent.assistant.grounding import Grounding, check_grounding, mark_unverified
from agent.assistant.session import finish
from agent.llm.redact import redact_secrets
from tools.errors import LLMError

if TYPE_CHECKING:
    from agent.assistant.conversation import Turn
    from agent.assistant.session import Session
    from agent.llm.model import ChatModel, Message, ToolCall, ToolSpec

MAX_STEPS = 6  # model turns that may call tools
MAX_TOOL_ERRORS = 3  # failed, unknown or repeated tool calls before giving up
MAX_SAME_CALL = 2  # the same tool with the same arguments
MAX_PARALLEL = 4


class _GiveUp(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def system_prompt(session: Session) -> str:
    from agent.assistant.tools.catalog import describe_catalog
    from agent.llm.untrusted import QuotedDocument, quote_documents
    from prompts import render_prompt
    from tools.errors import LablensError

    catalog = describe_catalog(session.resources.catalog).to_text()
    try:
        experiments = session.resources.experiments().to_text()
    except LablensError as exc:  # the prompt still works without the list
        experiments = f"(the experiment list is unavailable: {exc.title})"
    # Table comments and experiment names are written by people and by data: reference
    # material, quoted like documents, so an instruction hidden in one stays data.
    return render_prompt(
        "agent_system",
        catalog=quote_documents([QuotedDocument("the catalog", catalog)]),
        experiments=quote_documents([QuotedDocument("the experiments table", experiments)]),
    )


def conversation(session: Session, question: str, history: Sequence[Turn]) -> list[Message]:
    from agent.llm.model import assistant, system, user

    messages = [system(system_prompt(session))]
    for turn in history[-4:]:
        messages += [user(turn.question), assistant(turn.answer)]
    messages.append(user(question))
    return messages


class _Turn:
    """What one question's tool calls retrieved: texts, dicts, doc passages, SQL that ran."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.data: list[object] = []
        self.passages: list[Source] = []
        self.sql: list[str] = []
        self.errors = 0
        self.calls: Counter[str] = Counter()

    def add(self, finished: StepFinished) -> None:
        from agent.assistant.tools.docs import DocSearchResult
        from agent.assistant.tools.sql import SqlRunResult

        result = finished.result
        if result is None:
            return
        self.texts.append(result.to_text())
        self.data.append(result.to_dict())
        if isinstance(result, DocSearchResult):
            self.passages.extend(result.sources)
        if isinstance(result, SqlRunResult) and result.result is not None:
            self.sql.append(result.report.sql)

    def check(self, answer: str, question: str) -> Grounding:
        return check_grounding(
            answer,
            tool_texts=self.texts,
            tool_data=self.data,
            retrieved=self.passages,
            question=question,
        )


def answer_with_model(
    session: Session, question: str, history: Sequence[Turn], notes: list[str]
) -> Iterator[Event]:
    from agent.assistant.tools import TOOLS

    model = session.resources.model
    if model is None:
        notes.append("No model is configured ([llm] in lablens.toml); answered offline.")
        yield from session.answer_offline(question, history, notes)
        return
    specs = [t.spec() for t in TOOLS]
    messages = conversation(session, question, history)
    turn = _Turn()
    session.resources.sql_by_model = True
    try:
        text = yield from _run_steps(session, model, messages, specs, turn)
        grounding = turn.check(text, question)
        if not grounding.ok:
            text = yield from _repair(model, messages, text, grounding)
            grounding = turn.check(text, question)
    except (_GiveUp, LLMError) as exc:
        session.resources.sql_by_model = False  # the offline answer is the planner's
        reason = exc.reason if isinstance(exc, _GiveUp) else exc.message
        notes.append(f"The model could not answer ({reason}); this is the offline answer.")
        yield from session.answer_offline(question, history, notes)
        return
    finally:
        session.resources.sql_by_model = False
    # The configured key never reaches the model, but a leaked one must not reach the screen.
    key = session.workspace.settings.llm.api_key
    text = redact_secrets(text, [key.get_secret_value() if key else None])
    if not grounding.ok:
        text = mark_unverified(text, grounding)
        notes.append("Not verified against the tool outputs: " + grounding.describe() + ".")
    cited = [s for s in turn.passages if s.cite() in text] or turn.passages
    yield from finish(
        question,
        text,
        mode="llm",
        grounded=grounding.ok,
        sources=cited,
        sql=turn.sql,
        notes=notes,
        context={"kind": "llm", "question": question},
        stream=False,
    )


def _stream_reply(
    model: ChatModel, messages: Sequence[Message], specs: Sequence[ToolSpec] | None
) -> Iterator[TextDelta | ToolCall]:
    for part in model.stream(messages, tools=specs):
        yield TextDelta(part) if isinstance(part, str) else part


def _run_steps(
    session: Session,
    model: ChatModel,
    messages: list[Message],
    specs: Sequence[ToolSpec],
    turn: _Turn,
) -> Generator[Event, None, str]:
    from agent.assistant.session import Cancelled
    from agent.llm.model import assistant, user

    for _ in range(MAX_STEPS):
        if session.cancelled:
            raise Cancelled()
        parts: list[str] = []
        calls: list[ToolCall] = []
        for item in _stream_reply(model, messages, specs):
            if session.cancelled:  # leaving the loop closes the stream and its connection
                raise Cancelled()
            if isinstance(item, TextDelta):
                parts.append(item.text)
                yield item
            else:
                calls.append(item)
        text = "".join(parts)
        if not calls:
            if text.strip():
                return text
            turn.errors += 1
            if turn.errors > MAX_TOOL_ERRORS:
                raise _GiveUp("it kept sending empty replies")
            messages.append(user("Your reply was empty. Answer the question or call a tool."))
            continue
        messages.append(assistant(text, calls))
        yield from _call_tools(session, calls, messages, turn)
        if turn.errors > MAX_TOOL_ERRORS:
            raise _GiveUp(f"{turn.errors} tool calls failed")
    raise _GiveUp(f"no answer within {MAX_STEPS} steps")


def _call_tools(
    session: Session, calls: Sequence[ToolCall], messages: list[Message], turn: _Turn
) -> Iterator[Event]:
    """Run the calls of one reply at once (the model asked for them together)."""
    from agent.assistant.tools import TOOLS_BY_NAME
    from agent.assistant.tools.sql import SqlRunResult
    from agent.llm.model import tool_error, tool_result

    runnable: list[tuple[ToolCall, str]] = []
    for call in calls:
        key = call.name + json.dumps(call.arguments, sort_keys=True, default=str)
        turn.calls[key] += 1
        if call.name not in TOOLS_BY_NAME:
            turn.errors += 1
            messages.append(
                tool_error(
                    call,
                    f"there is no tool named {call.name!r}",
                    hint="Use one of: " + ", ".join(TOOLS_BY_NAME),
                )
            )
            continue
        if turn.calls[key] > MAX_SAME_CALL:
            turn.errors += 1
            messages.append(
                tool_error(
                    call,
                    "this exact call was already made; its result is above",
                    hint="Use that result and answer, or call a different tool.",
                )
            )
            continue
        sid = session.new_step_id()
        runnable.append((call, sid))
        yield StepStarted(sid, call.name, dict(call.arguments))
    if not runnable:
        return
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(runnable))) as pool:
        futures = [
            pool.submit(session.execute_tool, sid, call.name, call.arguments)
            for call, sid in runnable
        ]
        results = [f.result() for f in futures]
    for (call, _), finished in zip(runnable, results, strict=True):
        yield finished
        if finished.ok and finished.result is not None:
            turn.add(finished)
            messages.append(tool_result(call, finished.result.to_text()))
            if isinstance(finished.result, SqlRunResult) and not finished.result.valid:
                turn.errors += 1  # rejected SQL is fed back, within the same error budget
        else:
            turn.errors += 1
            messages.append(tool_error(call, finished.error or finished.summary))


def _repair(
    model: ChatModel, messages: list[Message], draft: str, grounding: Grounding
) -> Generator[Event, None, str]:
    """One more turn asking the model to keep only what the tools showed."""
    from agent.llm.model import assistant, user

    messages.append(assistant(draft))
    messages.append(
        user(
            "Your answer has "
            + grounding.describe()
            + ". Rewrite it using only figures and citations from the tool outputs above; "
            "drop anything you cannot support."
        )
    )
    yield TextDelta("\n\n")
    parts = []
    for item in _stream_reply(model, messages, None):
        if isinstance(item, TextDelta):
            parts.append(item.text)
            yield item
    text = "".join(parts).strip()
    return text or draft
