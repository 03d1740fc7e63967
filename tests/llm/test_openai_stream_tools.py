"""`ChatModel.stream` with tools: text first, then each tool call whole, over real clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agent.llm.loopback_server import ChatResponse, LoopbackServer, ScriptedToolCall
from agent.llm.model import ToolCall, ToolSpec, user
from agent.llm.openai_chat import OpenAIChatModel
from tools.errors import LLMError

SEARCH = ToolSpec(
    "search_docs", "search", {"type": "object", "properties": {"query": {"type": "string"}}}
)


def test_text_then_tool_calls_stream_in_order(
    server: LoopbackServer, make_model: Callable[..., OpenAIChatModel]
) -> None:
    server.add(
        ChatResponse(
            "Let me look.",
            tool_calls=(
                ScriptedToolCall("search_docs", {"query": "srm"}, id="a"),
                ScriptedToolCall("search_docs", {"query": "cuped"}, id="b"),
            ),
        )
    )
    parts = list(make_model().stream([user("q")], tools=[SEARCH]))
    assert "".join(p for p in parts if isinstance(p, str)) == "Let me look."
    calls = [p for p in parts if isinstance(p, ToolCall)]
    assert [(c.id, c.arguments) for c in calls] == [
        ("a", {"query": "srm"}),
        ("b", {"query": "cuped"}),
    ]
    assert isinstance(parts[-1], ToolCall)  # calls come after the text
    sent = server.chat_requests()[0].body or {}
    assert sent["stream"] is True and sent["tools"][0]["function"]["name"] == "search_docs"


def test_unparseable_streamed_arguments_are_retried_not_run_as_empty(
    server: LoopbackServer, make_model: Callable[..., OpenAIChatModel]
) -> None:
    # LangChain would read '{query: srm' as {} — a call with its arguments silently dropped.
    bad = ChatResponse(tool_calls=(ScriptedToolCall("search_docs", "{query: srm"),))
    server.add(bad, ChatResponse(tool_calls=(ScriptedToolCall("search_docs", {"query": "srm"}),)))
    parts = list(make_model(max_retries=1).stream([user("q")], tools=[SEARCH]))
    assert parts == [ToolCall(parts[0].id, "search_docs", {"query": "srm"})]  # type: ignore[union-attr]
    assert len(server.chat_requests()) == 2


def test_malformed_arguments_every_time_end_in_an_llm_error(
    server: LoopbackServer, make_model: Callable[..., OpenAIChatModel]
) -> None:
    bad = ChatResponse(tool_calls=(ScriptedToolCall("search_docs", "{nope"),))
    server.add(bad, bad)
    with pytest.raises(LLMError, match="malformed tool call"):
        list(make_model(max_retries=1).stream([user("q")], tools=[SEARCH]))
