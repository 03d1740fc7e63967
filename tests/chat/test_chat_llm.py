"""With a model (scripted: no network): the model's tool step shows as a block, and when the
model goes down mid-answer the chat shows the offline answer with the note that says so."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from agent.chat.app import ChatApp
from agent.chat.step_block import StepBlock
from agent.llm.model import ModelReply, ToolCall
from agent.llm.scripted import ScriptedModel
from tests.chat.conftest import SIZE, ask, opened
from tools.errors import LLMError

pytestmark = pytest.mark.asyncio


def _opener(model: ScriptedModel) -> Any:
    def open_with_model(workspace: str | None, use_llm: bool | None) -> Any:
        from agent.assistant.session import Session
        from agent.chat.core_link import SessionLink, open_core

        opened = open_core(workspace, use_llm=False)
        opened.core = SessionLink(Session(opened.workspace, use_llm=True, model=model))
        opened.model = model.name
        return opened

    return open_with_model


async def test_llm_down_mid_answer_gives_the_offline_answer_with_a_note(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    root = tmp_path / "pinlab"
    shutil.copytree(small_demo_workspace, root)
    model = ScriptedModel(
        [
            ModelReply("", (ToolCall("c1", "list_experiments", {}),)),
            LLMError("connection refused by the model server"),
        ]
    )
    app = ChatApp(str(root), preferences=tmp_path / "p.json", opener=_opener(model))
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await ask(app, pilot, "saves per user by country last 7 days")
        turn = app.transcript.turns[-1]
        assert turn.error is None and turn.answer
        assert any("offline answer" in n for n in turn.notes)
        assert any("connection refused" in n for n in turn.notes)
        assert turn.sql  # the offline planner answered
        tools = [b.tool for b in app.query(StepBlock)]
        assert tools[0] == "list_experiments"  # the model's step, before it went down
