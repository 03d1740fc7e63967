"""Escape during a slow query: the answer stops at once, the app stays usable, and the query
itself is stopped through the warehouse's `cancel()` where the warehouse has one."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from agent.chat.app import ChatApp
from agent.chat.step_block import StepBlock
from tests.chat.conftest import SIZE, ask, opened, wait_for

pytestmark = pytest.mark.asyncio

# Long enough that a next answer well inside it proves the slow query was stopped, not waited
# out, even on a loaded machine where starting a fresh DuckDB worker takes seconds.
TIMEOUT_S = 12
SLOW_SQL = (
    "/sql SELECT COUNT(*) AS n FROM engagement_daily a JOIN engagement_daily b "
    "ON a.saves < b.saves WHERE a.dt >= DATE '2026-09-01' AND b.dt >= DATE '2026-09-01'"
)


@pytest.fixture
def slow_workspace(small_demo_workspace: Path, tmp_path: Path) -> Path:
    root = tmp_path / "pinlab"
    shutil.copytree(small_demo_workspace, root)
    toml = root / "lablens.toml"
    toml.write_text(toml.read_text().replace("timeout_s = 30.0", f"timeout_s = {TIMEOUT_S}.0"))
    return root


async def test_escape_cancels_the_answer_and_its_query(
    slow_workspace: Path, tmp_path: Path
) -> None:
    app = ChatApp(str(slow_workspace), use_llm=False, preferences=tmp_path / "p.json")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        app.query_one("#prompt").insert(SLOW_SQL)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.query(StepBlock)) and app.busy)
        await pilot.pause(0.5)  # the query is running now
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.busy, timeout=5)
        assert app.cancel_ms is not None and app.cancel_ms < 500
        turn = app.transcript.turns[-1]
        assert turn.cancelled and not turn.answer
        assert app.query_one(".cancelled")
        assert "cancelled" in str(app.query_one(StepBlock).title)
        # The app answers the next question; with a cancellable warehouse the slow query is
        # already gone (well inside its timeout), otherwise it ends at the warehouse timeout.
        warehouse = app.opened.core.session.resources._warehouse  # type: ignore[union-attr]
        cancellable = callable(getattr(warehouse, "cancel", None))
        asked = time.monotonic()
        await ask(app, pilot, "saves per user by country last 7 days")
        assert app.transcript.turns[-1].sql
        assert time.monotonic() - asked < (TIMEOUT_S / 2 if cancellable else TIMEOUT_S + 10)
