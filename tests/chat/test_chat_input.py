"""Input and bad input: newline key, history keys, a 10,000-character paste, wide unicode,
a tiny terminal, no index, the side panel's references, the theme kept, --resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual import events

from agent.chat.app import ChatApp
from agent.chat.prompt_input import PromptInput
from agent.chat.side_panel import SidePanel
from tests.chat.conftest import SIZE, ask, opened, wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


@pytest.fixture
def ws(small_demo_workspace: Path, tmp_path: Path) -> Path:
    root = tmp_path / "pinlab"
    shutil.copytree(small_demo_workspace, root)  # a copy: history is written into it
    return root


def _app(ws: Path, tmp_path: Path, **kw: object) -> ChatApp:
    return ChatApp(str(ws), use_llm=False, preferences=tmp_path / "prefs.json", **kw)  # type: ignore[arg-type]


async def test_ctrl_j_adds_a_line_and_enter_sends(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        prompt = app.query_one(PromptInput)
        await pilot.press("a", "ctrl+j", "b")
        assert prompt.text == "a\nb"
        await pilot.press("alt+enter")
        assert prompt.text == "a\nb\n"


async def test_up_and_down_walk_the_messages_sent(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "saves per user by country last 7 days")
        app.query_one(PromptInput).insert("/help")
        await pilot.press("enter")
        await pilot.press("escape")  # close the help screen
        prompt = app.query_one(PromptInput)
        await pilot.press("up")
        assert prompt.text == "/help"
        await pilot.press("up")
        assert prompt.text == "saves per user by country last 7 days"
        await pilot.press("down", "down")
        assert prompt.text == ""


async def test_a_10000_character_paste_is_answered_with_a_note(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    pasted = "saves per user by country 🚀 日本語 " + "x" * 10_000
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        prompt = app.query_one(PromptInput)
        app.post_message(events.Paste(pasted))  # as the driver delivers a terminal paste
        await wait_for(pilot, lambda: prompt.text == pasted)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.transcript.turns) and not app.busy)
        await wait_for(
            pilot, lambda: bool(app.transcript.turns[-1].answer or app.transcript.turns[-1].error)
        )
        turn = app.transcript.turns[-1]
        assert turn.question == pasted
        # Answered or refused with a hint (here: no doc index), never a crash; the question
        # shown on screen is cut, the note says by how much.
        assert turn.answer or (turn.error and app.query(".error-block"))
        shown = app.query_one(".question")
        assert "+8,0" in str(shown.render())
        assert app.is_running


async def test_a_tiny_terminal_shows_the_notice(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=(40, 10)) as pilot:
        await opened(app, pilot)
        assert app.screen.has_class("too-small")
        assert app.query_one("#too-small").display
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert not app.screen.has_class("too-small")


async def test_no_index_offers_lablens_index(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        assert app.opened is not None and app.opened.index_missing
        notice = app.query_one(".notice")
        assert "lablens index" in str(notice.render())


async def test_choosing_a_panel_item_inserts_a_reference(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        panel = app.query_one(SidePanel)
        panel.display = True
        metrics = next(n for n in panel.root.children if str(n.label) == "Metrics")
        panel.select_node(metrics.children[0])  # what Enter or a click on the item does
        await pilot.pause()
        assert app.query_one(PromptInput).text.strip() == f"`{metrics.children[0].data}`"


async def test_the_theme_choice_is_kept(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("ctrl+t")
        chosen = app.theme
    again = _app(ws, tmp_path)
    async with again.run_test(size=SIZE) as pilot:
        assert again.theme == chosen


async def test_resume_reopens_the_last_conversation(ws: Path, tmp_path: Path) -> None:
    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "saves per user by country last 7 days")
    again = _app(ws, tmp_path, resume=True)
    async with again.run_test(size=SIZE) as pilot:
        await opened(again, pilot)
        await wait_for(pilot, lambda: bool(again.transcript.turns))
        assert again.transcript.turns[0].question == "saves per user by country last 7 days"
        await ask(again, pilot, "and by platform?")
        assert "platform" in again.transcript.turns[-1].sql[0].lower()


async def test_no_workspace_shows_the_way_to_get_one(tmp_path: Path) -> None:
    from agent.chat.welcome_screen import NoWorkspaceScreen

    app = ChatApp(str(tmp_path / "nowhere"), preferences=tmp_path / "p.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, NoWorkspaceScreen)
                and bool(app.screen.query("#no-workspace"))
            ),
        )
        text = str(app.screen.query_one("#no-workspace").render())
        assert "lablens demo" in text and "lablens init" in text


async def test_the_command_palette_lists_the_chat_actions(ws: Path, tmp_path: Path) -> None:
    from agent.chat.palette import ChatCommands

    app = _app(ws, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        provider = ChatCommands(app.screen)
        hits = [hit async for hit in provider.search("export")]
        assert len(hits) == 3
        await hits[0].command()  # the best match runs its action
        await wait_for(pilot, lambda: bool(app.query(".error-block, .notice")))
