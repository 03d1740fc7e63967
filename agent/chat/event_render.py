"""How one event of the core shows in the conversation, and what the transcript, the side
panel and the history store keep of it. Runs on the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.chat.saved_conversations import CONVERSATION_KEY
from agent.chat.side_panel import SidePanel
from agent.chat.transcript import StepRecord, Turn

if TYPE_CHECKING:
    from agent.assistant.events import AnswerReady, Event
    from agent.chat.answer_view import AnswerView
    from agent.chat.app import ChatApp


async def render_event(app: ChatApp, view: AnswerView, turn: Turn, event: Event) -> None:
    from agent.assistant.events import AnswerReady, Failed, StepFinished, StepStarted, TextDelta

    if isinstance(event, StepStarted):
        view.step_started(event)
    elif isinstance(event, StepFinished):
        data = event.result.to_dict() if event.result is not None else None
        turn.steps.append(StepRecord(event.tool, event.summary, event.ok, data, event.error))
        view.step_finished(event)
        if data and "verdict" in data and "experiment_id" in data:
            app.query_one(SidePanel).set_verdict(str(data["experiment_id"]), str(data["verdict"]))
    elif isinstance(event, TextDelta):
        await view.write(event.text)
    elif isinstance(event, AnswerReady):
        turn.answer, turn.mode, turn.grounded = event.text, event.mode, event.grounded
        turn.sql = list(event.sql)
        turn.sources = [s.cite() for s in event.sources]
        turn.notes = list(event.notes)
        remember(app, turn, event)
        await view.ready(event)
    elif isinstance(event, Failed):
        turn.error = f"{event.title}: {event.message}"
        await view.failed(event)


def remember(app: ChatApp, turn: Turn, event: AnswerReady) -> None:
    """Keep the exchange for follow-ups and in the history store (secrets redacted there)."""
    from agent.assistant.conversation import Turn as CoreTurn

    context = {**dict(event.context), CONVERSATION_KEY: app.conversation_id}
    app.history.append(CoreTurn.from_context(turn.question, event.text, context))
    if app.opened is None:
        return
    steps = [
        {"tool": s.tool, "ok": s.ok, "summary": s.summary if s.ok else (s.error or s.summary)}
        for s in turn.steps
    ]
    try:
        app.opened.history.add(
            turn.question[:4000],
            event.text,
            mode=event.mode,
            grounded=event.grounded,
            steps=steps,
            context=context,
        )
    except Exception as exc:  # sqlite errors: the chat goes on, the person is told
        app.notify(f"Could not save to history: {exc}", severity="warning")
