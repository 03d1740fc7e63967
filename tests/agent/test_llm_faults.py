"""Faults of a real OpenAI-compatible endpoint (the loopback server, the real openai/langchain
clients): each ends within bounded retries and time, in a clear note and the offline answer."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.assistant.events import AnswerReady, Event, StepFinished
from agent.assistant.session import Session
from agent.config import LLMSettings, Secret
from agent.llm.loopback_server import ChatResponse, ErrorResponse, LoopbackServer, ScriptedToolCall
from agent.llm.openai_chat import OpenAIChatModel
from agent.llm.retry import RetryPolicy
from tests.docs.word_vector_embedder import WordVectorEmbedder

QUESTION = "total saves by surface"
BOUND_S = 15.0


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(lifetime_s=60) as srv:
        yield srv


def model_for(base_url: str, *, timeout_s: float = 5.0) -> OpenAIChatModel:
    settings = LLMSettings(
        base_url=base_url, api_key=Secret("sk-test-faults-0123456789"), timeout_s=timeout_s
    )
    return OpenAIChatModel(settings, policy=RetryPolicy(max_retries=1, base_delay_s=0.01))


def ask(ws: Path, model: OpenAIChatModel, emb: WordVectorEmbedder) -> tuple[list[Event], float]:
    start = time.perf_counter()
    with Session(ws, use_llm=True, model=model, embedder=emb) as session:
        events = list(session.answer(QUESTION))
    return events, time.perf_counter() - start


def offline_with_note(events: list[Event], words: str, seconds: float) -> None:
    final = events[-1]
    assert seconds < BOUND_S
    assert isinstance(final, AnswerReady) and final.mode == "offline"
    assert "| surface | total_saves |" in final.text  # the offline answer is still there
    assert any(words in n for n in final.notes), final.notes


def test_time_outs_end_in_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    server.add(ChatResponse("late", delay_s=3.0), ChatResponse("late", delay_s=3.0))
    events, seconds = ask(indexed_workspace, model_for(server.base_url, timeout_s=0.5), embedder)
    offline_with_note(events, "no answer within timeout_s=0.5", seconds)


def test_rate_limit_with_retry_after_is_retried_then_answered(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    server.add(
        ErrorResponse(429, "slow down", headers={"Retry-After": "0.2"}),
        ChatResponse(tool_calls=(ScriptedToolCall("list_experiments", {}),)),
        ChatResponse("Listed the experiments."),
    )
    events, seconds = ask(indexed_workspace, model_for(server.base_url), embedder)
    final = events[-1]
    assert isinstance(final, AnswerReady) and final.mode == "llm" and seconds >= 0.2
    assert [e.tool for e in events if isinstance(e, StepFinished)] == ["list_experiments"]


def test_server_errors_end_in_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    server.add(ErrorResponse(503), ErrorResponse(500))
    events, seconds = ask(indexed_workspace, model_for(server.base_url), embedder)
    offline_with_note(events, "server error (HTTP 500)", seconds)


def test_connection_refused_ends_in_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    events, seconds = ask(indexed_workspace, model_for(f"http://127.0.0.1:{port}/v1"), embedder)
    offline_with_note(events, "cannot connect", seconds)


def test_malformed_tool_call_json_is_retried(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    server.add(
        ChatResponse(tool_calls=(ScriptedToolCall("search_docs", "{query: srm"),)),
        ChatResponse(tool_calls=(ScriptedToolCall("search_docs", {"query": "srm"}),)),
        ChatResponse("Found it."),
    )
    events, _ = ask(indexed_workspace, model_for(server.base_url), embedder)
    final = events[-1]
    assert isinstance(final, AnswerReady) and final.mode == "llm"
    assert [e.tool for e in events if isinstance(e, StepFinished)] == ["search_docs"]


def test_malformed_tool_calls_every_time_end_in_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    bad = ChatResponse(tool_calls=(ScriptedToolCall("run_sql", "{not json"),))
    server.add(bad, bad)
    events, seconds = ask(indexed_workspace, model_for(server.base_url), embedder)
    offline_with_note(events, "malformed tool call", seconds)


def test_an_unknown_tool_name_is_answered_with_the_real_tools(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    server.add(
        ChatResponse(tool_calls=(ScriptedToolCall("shell", {"cmd": "ls /"}),)),
        ChatResponse("I can only use lablens tools."),
    )
    events, _ = ask(indexed_workspace, model_for(server.base_url), embedder)
    assert isinstance(events[-1], AnswerReady) and events[-1].mode == "llm"
    second = server.chat_requests()[1].body or {}
    tool_turn = second["messages"][-1]
    assert tool_turn["role"] == "tool" and "no tool named 'shell'" in tool_turn["content"]


def test_empty_replies_end_in_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    server.add(*[ChatResponse("") for _ in range(6)])
    events, seconds = ask(indexed_workspace, model_for(server.base_url), embedder)
    offline_with_note(events, "empty replies", seconds)


def test_a_model_calling_the_same_tool_forever_is_stopped(
    indexed_workspace: Path, embedder: WordVectorEmbedder, server: LoopbackServer
) -> None:
    loop = ChatResponse(tool_calls=(ScriptedToolCall("list_experiments", {}),))
    server.add(*[loop for _ in range(30)])
    events, seconds = ask(indexed_workspace, model_for(server.base_url), embedder)
    offline_with_note(events, "could not answer", seconds)
    assert server.remaining > 20
