"""Chat fixtures: a small indexed demo workspace, and a helper that drives the app's pilot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.chat.app import ChatApp
from tests.conftest import indexed_small_demo

SIZE = (120, 40)


@pytest.fixture(scope="session")
def chat_workspace(small_demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo workspace with its docs indexed (a copy: the shared one stays as is)."""
    return indexed_small_demo(tmp_path_factory, small_demo_workspace)


async def wait_for(pilot: object, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until `predicate()` holds (workers report through the event loop)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            app = getattr(pilot, "app", None)
            turns = getattr(getattr(app, "transcript", None), "turns", [])
            worker = getattr(app, "answer_worker", None)
            raise AssertionError(
                f"timed out waiting for the chat; worker {worker!r}; turns: {turns!r}"[:3000]
            )
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def opened(app: ChatApp, pilot: object) -> None:
    await wait_for(pilot, lambda: app.opened is not None)


def answered(app: ChatApp) -> Callable[[], bool]:
    def done() -> bool:
        if app.busy or not app.transcript.turns:
            return False
        t = app.transcript.turns[-1]
        return bool(t.answer or t.error or t.cancelled)

    return done


async def ask(app: ChatApp, pilot: object, text: str) -> None:
    from agent.chat.prompt_input import PromptInput

    before = len(app.transcript.turns)
    app.query_one(PromptInput).insert(text)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: len(app.transcript.turns) > before)
    await wait_for(pilot, answered(app))
