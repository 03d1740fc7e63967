"""The chat's main flows, driven as a person would through Textual's pilot on a real
workspace (real DuckDB, real doc index); the app only renders the core's events."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.chat.app import ChatApp
from agent.chat.doc_hits import DocHits
from agent.chat.error_block import ErrorBlock
from agent.chat.experiment_view import EffectsChart, ExperimentView
from agent.chat.result_table import ResultTable
from agent.chat.side_panel import SidePanel
from agent.chat.step_block import StepBlock
from tests.chat.conftest import SIZE, ask, opened, wait_for

pytestmark = pytest.mark.asyncio


def _app(ws: Path, tmp_path: Path) -> ChatApp:
    return ChatApp(str(ws), use_llm=False, preferences=tmp_path / "prefs.json")


async def test_doc_question_shows_hits_and_sources(chat_workspace: Path, tmp_path: Path) -> None:
    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "how does the homefeed L1 ranker pick candidates?")
        turn = app.transcript.turns[-1]
        assert turn.error is None
        hits = app.query_one(DocHits).hits
        assert hits and all(h.start_line <= h.end_line for h in hits)
        assert turn.sources and ":" in turn.sources[0]
        assert app.query_one(".sources")


async def test_sql_question_fills_a_result_table(chat_workspace: Path, tmp_path: Path) -> None:
    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "saves per user by country last 14 days")
        table = app.query_one(ResultTable)
        assert "country" in table.column_names
        assert table.row_count == len(table.all_rows) > 0
        assert app.transcript.turns[-1].sql[0].upper().startswith("SELECT")


async def test_experiment_shows_effects_and_charts(chat_workspace: Path, tmp_path: Path) -> None:
    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "how did hf_l1_ranker_v2 do?")
        view = app.query_one(ExperimentView)
        assert view.effects and any(e.role == "primary" for e in view.effects)
        assert app.query_one(EffectsChart).effects
        # the side panel learns the verdict
        panel = app.query_one(SidePanel)
        panel_verdicts = {e.experiment_id: e.verdict for e in panel.overview.experiments}
        assert panel_verdicts["hf_l1_ranker_v2"] == view.data["verdict"]


async def test_follow_up_refines_the_last_question(chat_workspace: Path, tmp_path: Path) -> None:
    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "saves per user by country last 14 days")
        await ask(app, pilot, "and by platform?")
        _, second = app.transcript.turns
        assert second.error is None and second.sql
        assert "platform" in second.sql[0].lower()
        assert len(app.query(ResultTable)) == 2


async def test_rejected_sql_is_an_inline_error_with_a_hint(
    chat_workspace: Path, tmp_path: Path
) -> None:
    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "/sql SELECT nosuchcolumn FROM engagement_daily")
        block = app.query_one(ErrorBlock)
        assert block.hint
        assert app.query_one(StepBlock).has_class("failed")
        assert app.is_running


async def test_unknown_slash_command_suggests_the_close_one(
    chat_workspace: Path, tmp_path: Path
) -> None:
    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        app.query_one("#prompt").insert("/exprot csv")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.query(ErrorBlock)))
        assert "/export" in (app.query_one(ErrorBlock).hint or "")


async def test_export_writes_csv_parquet_and_markdown(chat_workspace: Path, tmp_path: Path) -> None:
    import duckdb

    app = _app(chat_workspace, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "saves per user by country last 14 days")
        rows = app.query_one(ResultTable).all_rows
        for fmt in ("csv", "parquet", "md"):
            app.query_one("#prompt").insert(f"/export {fmt} {tmp_path}/out.{fmt}")  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_for(pilot, lambda f=fmt: (tmp_path / f"out.{f}").exists())
    csv_lines = (tmp_path / "out.csv").read_text().splitlines()
    assert len(csv_lines) == len(rows) + 1 and "country" in csv_lines[0]
    n = duckdb.connect().execute(f"SELECT COUNT(*) FROM '{tmp_path}/out.parquet'").fetchone()
    assert n is not None and n[0] == len(rows)
    md = (tmp_path / "out.md").read_text()
    assert "```sql" in md and "saves per user by country" in md
