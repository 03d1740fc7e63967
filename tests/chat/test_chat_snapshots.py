"""SVG snapshots of the chat at a fixed terminal size (pytest-textual-snapshot). Update them
with `pytest tests/chat/test_chat_snapshots.py --snapshot-update` and review the SVGs."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from agent.chat.app import ChatApp
from agent.chat.prompt_input import PromptInput
from tests.chat.conftest import answered, wait_for

SIZE = (120, 36)
Snap = Callable[..., bool]


pytestmark = pytest.mark.slow  # the whole file (listed first, so no worker ends on it)


class _SnapshotDay(date):
    """The calendar day the snapshots were taken: relative-date notes name it."""

    @classmethod
    def today(cls) -> _SnapshotDay:
        return cls(2026, 12, 1)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tools.planner.warehouse_context.date", _SnapshotDay)


class SnapshotChat(ChatApp):
    show_timings = False  # durations differ run to run

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(PromptInput).cursor_blink = False  # a blink would differ run to run


def _app(ws: Path | str, tmp_path: Path) -> SnapshotChat:
    return SnapshotChat(str(ws), use_llm=False, preferences=tmp_path / "prefs.json")


def _asking(*questions: str, then: Callable[[Pilot[Any]], Awaitable[None]] | None = None) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ChatApp)
        await wait_for(pilot, lambda: app.opened is not None)
        for q in questions:
            before = len(app.transcript.turns)
            app.query_one(PromptInput).insert(q)
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda b=before: (
                    len(app.transcript.turns) > b or bool(app.query(".error-block, .notice"))
                ),
            )
            if len(app.transcript.turns) > before:
                await wait_for(pilot, answered(app))
        if then is not None:
            await then(pilot)
        await pilot.pause(0.2)

    return run_before


def test_snapshot_ready(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=_asking())


def test_snapshot_help(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    async def help_key(pilot: Pilot[Any]) -> None:
        await pilot.press("f1")

    app = _app(chat_workspace, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=_asking(then=help_key))


def test_snapshot_panel_hidden(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    async def toggle(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+b")

    app = _app(chat_workspace, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=_asking(then=toggle))


def test_snapshot_sql_answer(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("saves per user by country last 14 days")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_doc_answer(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("how do we check for sample ratio mismatch?")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_experiment(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("/exp hf_l1_ranker_v2")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=(120, 60), run_before=run)


def test_snapshot_experiment_list(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("/exp")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_rejected_sql(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("/sql SELECT nosuchcolumn FROM engagement_daily")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_unknown_command(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("/exprot csv")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_follow_up(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("saves per user by country last 14 days", "and by platform?")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_tiny_terminal(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    app = _app(chat_workspace, tmp_path)
    assert snap_compare(app, terminal_size=(50, 12), run_before=_asking())


def test_snapshot_no_workspace(snap_compare: Snap, tmp_path: Path) -> None:
    empty = "/nonexistent/lablens-workspace"  # a fixed path: it is shown in the message

    async def screen_up(pilot: Pilot[Any]) -> None:
        from agent.chat.welcome_screen import NoWorkspaceScreen

        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NoWorkspaceScreen))

    app = _app(empty, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=screen_up)


def test_snapshot_no_index(snap_compare: Snap, small_demo_workspace: Path, tmp_path: Path) -> None:
    root = tmp_path / "pinlab"
    shutil.copytree(small_demo_workspace, root)
    assert snap_compare(_app(root, tmp_path), terminal_size=SIZE, run_before=_asking())


def test_snapshot_multiline_wide_input(
    snap_compare: Snap, chat_workspace: Path, tmp_path: Path
) -> None:
    async def typed(pilot: Pilot[Any]) -> None:
        prompt = pilot.app.query_one(PromptInput)
        prompt.insert("saves by country 🚀 for 日本語 users")
        await pilot.press("ctrl+j")
        prompt.insert("second line — ✓ ok")

    app = _app(chat_workspace, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=_asking(then=typed))


def test_snapshot_model_note(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    run = _asking("/model")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)


def test_snapshot_light_theme(snap_compare: Snap, chat_workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "prefs.json").write_text('{"theme": "textual-light"}')
    run = _asking("saves per user by platform last 7 days")
    assert snap_compare(_app(chat_workspace, tmp_path), terminal_size=SIZE, run_before=run)
