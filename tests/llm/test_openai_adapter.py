"""The OpenAI-compatible adapter, end to end against the loopback server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.llm.log import LoggingModel, PromptLog, search_log
from agent.llm.loopback_server import ChatResponse, ErrorResponse, LoopbackServer, ScriptedToolCall
from agent.llm.model import ToolSpec, assistant_turn, system, tool_result, user
from agent.llm.openai_chat import OpenAIChatModel
from tests.llm.conftest import API_KEY
from tools.errors import LLMError

MakeModel = Callable[..., OpenAIChatModel]
RUN_SQL = ToolSpec(
    "run_sql",
    "Run a validated read-only query.",
    {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]},
)


def test_plain_completion_returns_text_and_usage(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add("Saves rose 3% in treatment.")
    reply = make_model().complete([system("Be brief."), user("How did hf_l1_ranker_v2 do?")])
    assert reply.text == "Saves rose 3% in treatment."
    assert reply.tool_calls == ()
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (6, 5)
    sent = server.chat_requests()[0].body
    assert sent is not None
    assert sent["model"] == "loopback-model"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["messages"][1]["content"] == "How did hf_l1_ranker_v2 do?"


def test_streaming_yields_chunks_in_order(server: LoopbackServer, make_model: MakeModel) -> None:
    server.add("daily saves per user by country")
    chunks = list(make_model().stream([user("q")]))
    assert len(chunks) == 6
    assert "".join(chunks) == "daily saves per user by country"
    assert server.chat_requests()[0].body["stream"] is True  # type: ignore[index]


def test_stream_failure_before_the_first_chunk_is_retried(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add(ErrorResponse(503, "warming up"), "ready now")
    assert "".join(make_model().stream([user("q")])) == "ready now"
    assert len(server.chat_requests()) == 2


def test_stream_cut_off_midway_is_an_llm_error_not_a_short_answer(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add(ChatResponse("one two three four", cut_after_chunks=2))
    received: list[str] = []
    with pytest.raises(LLMError, match="cut off"):
        for chunk in make_model().stream([user("q")]):
            received.append(chunk)
    assert received == ["one ", "two "]
    assert len(server.chat_requests()) == 1  # text was already shown: no silent retry


def test_tool_call_round_trip(server: LoopbackServer, make_model: MakeModel) -> None:
    server.add(
        ChatResponse(tool_calls=(ScriptedToolCall("run_sql", {"sql": "SELECT 1"}, id="call_a"),)),
        "The query returned 1.",
    )
    model = make_model()
    messages = [user("run something")]
    first = model.complete(messages, tools=[RUN_SQL])
    assert [(c.id, c.name, c.arguments) for c in first.tool_calls] == [
        ("call_a", "run_sql", {"sql": "SELECT 1"})
    ]

    messages += [assistant_turn(first), tool_result(first.tool_calls[0], "1 row: (1)")]
    second = model.complete(messages, tools=[RUN_SQL])
    assert second.text == "The query returned 1."

    offered, follow_up = (r.body for r in server.chat_requests())
    assert offered is not None and follow_up is not None
    assert offered["tools"][0]["function"]["name"] == "run_sql"
    assert offered["tools"][0]["function"]["parameters"]["required"] == ["sql"]
    sent_call = follow_up["messages"][1]["tool_calls"][0]
    assert sent_call["id"] == "call_a"
    assert json.loads(sent_call["function"]["arguments"]) == {"sql": "SELECT 1"}
    assert follow_up["messages"][2] == {
        "role": "tool",
        "content": "1 row: (1)",
        "tool_call_id": "call_a",
    }


def test_rate_limit_is_retried_then_succeeds(
    server: LoopbackServer, make_model: MakeModel, sleeps: list[float]
) -> None:
    server.add(ErrorResponse(429, "slow down"), ErrorResponse(429, "slow down"), "finally")
    assert make_model(max_retries=2).complete([user("q")]).text == "finally"
    assert len(server.chat_requests()) == 3
    assert len(sleeps) == 2 and all(0 < s <= 8.0 for s in sleeps)


def test_retry_after_header_is_honoured(
    server: LoopbackServer, make_model: MakeModel, sleeps: list[float]
) -> None:
    server.add(ErrorResponse(429, headers={"Retry-After": "3"}), "ok")
    make_model().complete([user("q")])
    assert sleeps == [3.0]


def test_server_errors_end_in_llm_error_after_max_retries(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add(*[ErrorResponse(500, "upstream exploded")] * 3)
    with pytest.raises(LLMError) as err:
        make_model(max_retries=2).complete([user("q")])
    assert len(server.chat_requests()) == 3  # 1 attempt + 2 retries, no hidden client retries
    message = str(err.value)
    assert "failed 3 times" in message
    assert "HTTP 500" in message and "upstream exploded" in message
    assert err.value.hint is not None and "offline" in err.value.hint


def test_timeout_is_retried_then_succeeds(server: LoopbackServer, make_model: MakeModel) -> None:
    server.add(ChatResponse("too late", delay_s=1.0), "in time")
    reply = make_model(timeout_s=0.2).complete([user("q")])
    assert reply.text == "in time"


def test_timeouts_end_in_llm_error_naming_the_setting(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add(ChatResponse("late", delay_s=1.0), ChatResponse("late", delay_s=1.0))
    with pytest.raises(LLMError) as err:
        make_model(max_retries=1, timeout_s=0.2).complete([user("q")])
    assert "timeout_s=0.2" in str(err.value)
    assert "timeout_s" in (err.value.hint or "")


def test_malformed_tool_call_is_retried(server: LoopbackServer, make_model: MakeModel) -> None:
    server.add(
        ChatResponse(tool_calls=(ScriptedToolCall("run_sql", '{"sql": "SELECT'),)),
        ChatResponse(tool_calls=(ScriptedToolCall("run_sql", {"sql": "SELECT 2"}),)),
    )
    reply = make_model().complete([user("q")], tools=[RUN_SQL])
    assert reply.tool_calls[0].arguments == {"sql": "SELECT 2"}
    assert len(server.chat_requests()) == 2


def test_persistently_malformed_tool_calls_end_in_llm_error(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add(*[ChatResponse(tool_calls=(ScriptedToolCall("run_sql", "not json"),))] * 2)
    with pytest.raises(LLMError, match="malformed tool call `run_sql`"):
        make_model(max_retries=1).complete([user("q")], tools=[RUN_SQL])


def test_rejected_key_fails_at_once_without_leaking_it(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add(ErrorResponse(401, f"Incorrect API key provided: {API_KEY}"))
    with pytest.raises(LLMError) as err:
        make_model().complete([user("q")])
    assert len(server.chat_requests()) == 1  # not retried
    assert "HTTP 401" in str(err.value) and API_KEY not in str(err.value)
    assert "OPENAI_API_KEY" in (err.value.hint or "")


def test_unreachable_endpoint_is_a_clear_error(make_model: MakeModel) -> None:
    # A port on loopback that nothing listens on: bind, note the port, close.
    import socket

    from agent.config import LLMSettings
    from agent.llm.retry import RetryPolicy

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = OpenAIChatModel(
        LLMSettings(base_url=f"http://127.0.0.1:{port}/v1", timeout_s=1),
        policy=RetryPolicy(max_retries=1),
        sleep=lambda _s: None,
    )
    with pytest.raises(LLMError, match="cannot connect"):
        model.complete([user("q")])


def test_key_is_sent_but_never_logged(
    server: LoopbackServer, make_model: MakeModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.add(ErrorResponse(429), f"echo {API_KEY}", "streamed answer")
    model = LoggingModel(make_model(), PromptLog.in_state_dir(tmp_path, secrets=[API_KEY]))
    model.complete([user(f"my key is {API_KEY}, ignore it")])
    assert "".join(model.stream([user("q")])) == "streamed answer"

    assert {r.headers.get("authorization") for r in server.chat_requests()} == {f"Bearer {API_KEY}"}
    assert caplog.records, "expected the openai client and the retry loop to log something"
    assert API_KEY not in caplog.text
    assert all(API_KEY not in r.getMessage() for r in caplog.records)
    log_bytes = (tmp_path / "llm_log.sqlite3").read_bytes()
    assert API_KEY.encode() not in log_bytes
    entries = search_log(tmp_path, "REDACTED")
    assert {e.kind for e in entries} == {"complete"}
    assert entries[0].reply == "echo [REDACTED]"


def test_abandoned_stream_releases_its_connection(
    server: LoopbackServer, make_model: MakeModel
) -> None:
    server.add("one two three four five", "next answer")
    model = make_model()
    stream = model.stream([user("q")])
    assert next(stream) == "one "
    stream.close()  # the caller stopped reading: no error, and the model stays usable
    assert model.complete([user("again")]).text == "next answer"
