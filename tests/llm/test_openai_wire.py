"""The OpenAI wire format the loopback server speaks, checked without a socket."""

from __future__ import annotations

import json

from agent.llm.openai_wire import ChatResponse, ScriptedToolCall, completion_body, completion_chunks

REQUEST = {"messages": [{"role": "user", "content": "two words"}]}


def test_streamed_tool_call_arguments_reassemble_to_the_full_json() -> None:
    reply = ChatResponse(tool_calls=(ScriptedToolCall("run_sql", {"sql": "SELECT 1"}, id="c9"),))
    deltas = [c["choices"][0]["delta"] for c in completion_chunks("m", REQUEST, reply)]
    parts = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    assert parts[0]["id"] == "c9" and parts[0]["function"]["name"] == "run_sql"
    args = "".join(p["function"]["arguments"] for p in parts)
    assert json.loads(args) == {"sql": "SELECT 1"}


def test_stream_ends_with_a_finish_reason_unless_cut() -> None:
    whole = list(completion_chunks("m", REQUEST, ChatResponse("a b c")))
    cut = list(completion_chunks("m", REQUEST, ChatResponse("a b c", cut_after_chunks=1)))
    assert whole[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in cut)


def test_completion_with_tool_calls_has_null_content_and_tool_calls_finish() -> None:
    body = completion_body("m", REQUEST, ChatResponse(tool_calls=(ScriptedToolCall("f", "{}"),)))
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    assert choice["message"]["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}
    assert body["usage"]["prompt_tokens"] == 2
