"""The scripted model: canned replies in order, every prompt recorded."""

from __future__ import annotations

import pytest

from agent.llm.model import ChatModel, ModelReply, ToolCall, ToolSpec, system, user
from agent.llm.scripted import ScriptedModel
from tools.errors import LLMError


def test_replies_come_in_order_and_prompts_are_recorded() -> None:
    call = ToolCall("c1", "run_sql", {"sql": "SELECT 1"})
    model = ScriptedModel(["first", ModelReply("", (call,))])
    tool = ToolSpec("run_sql", "Run SQL.")

    assert model.complete([system("rules"), user("saves by country?")]).text == "first"
    assert model.complete([user("again")], tools=[tool]).tool_calls == (call,)

    assert [c.kind for c in model.calls] == ["complete", "complete"]
    assert "saves by country?" in model.calls[0].prompt_text
    assert model.calls[0].messages[0] == system("rules")
    assert model.last_call.tools == (tool,)
    assert model.remaining == 0


def test_scripted_exceptions_are_raised_in_turn() -> None:
    model = ScriptedModel([LLMError("rate limited"), "recovered"])
    with pytest.raises(LLMError, match="rate limited"):
        model.complete([user("q")])
    assert model.complete([user("q")]).text == "recovered"


def test_stream_splits_the_reply_into_word_chunks() -> None:
    model = ScriptedModel(["one two three"])
    assert list(model.stream([user("q")])) == ["one ", "two ", "three"]
    assert model.last_call.kind == "stream"


def test_running_out_of_replies_is_a_clear_error() -> None:
    model = ScriptedModel(["only one"])
    model.complete([user("q")])
    with pytest.raises(LLMError, match="no reply left for call 2"):
        model.complete([user("q")])


def test_it_satisfies_the_chat_model_protocol() -> None:
    assert isinstance(ScriptedModel(), ChatModel)
