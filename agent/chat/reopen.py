"""Earlier conversations from the history store: listed, resumed and reopened in the chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from agent.chat.transcript import StepRecord, Turn

if TYPE_CHECKING:
    from agent.chat.app import ChatApp
    from agent.chat.saved_conversations import SavedConversation


def saved_conversations(app: ChatApp) -> list[SavedConversation]:
    from agent.chat.saved_conversations import SCAN_LIMIT, group_conversations

    if app.opened is None:
        return []
    return group_conversations(app.opened.history.search(limit=SCAN_LIMIT))


async def resume_last(app: ChatApp) -> None:
    saved = saved_conversations(app)
    if saved:
        await reopen(app, saved[0].id)
    else:
        await app.conversation.add_note("[dim]No earlier conversation to resume.[/]")


async def reopen(app: ChatApp, conversation_id: str) -> None:
    """Show an earlier conversation and continue it (follow-ups read its answers)."""
    saved = next((c for c in saved_conversations(app) if c.id == conversation_id), None)
    if saved is None:
        return
    await app.action_clear()
    app.conversation_id = saved.id
    for ex in saved.exchanges:
        view = await app.conversation.add_turn(ex.question)
        await view.write(ex.answer)
        await view.close_stream()
        turn = Turn(question=ex.question, answer=ex.answer, mode=ex.mode)
        turn.steps = [
            StepRecord(str(s.get("tool")), str(s.get("summary")), bool(s.get("ok")))
            for s in ex.steps
        ]
        app.transcript.turns.append(turn)
        app.history.append(ex.turn())
    await app.conversation.add_note(
        f"[dim]Reopened the conversation of {escape(saved.started[:16])}; ask a follow-up.[/]"
    )
