"""The SQLite prompt log: redacted, searchable, and fed by LoggingModel."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.llm.log import LoggingModel, PromptLog, search_log
from agent.llm.model import ModelReply, ToolCall, ToolSpec, user
from agent.llm.redact import redact_secrets
from agent.llm.scripted import ScriptedModel
from tools.errors import LLMError


def test_redaction_covers_key_shapes_and_the_configured_value() -> None:
    text = (
        "sk-abcdef1234567890 / Authorization: Bearer tok.en-12345678 / "
        'api_key="hunter2hunter2" / postgres://bob:pa55word@db/x / my-own-key-9'
    )
    out = redact_secrets(text, ["my-own-key-9"])
    for secret in (
        "sk-abcdef1234567890",
        "tok.en-12345678",
        "hunter2hunter2",
        "pa55word",
        "my-own-key-9",
    ):
        assert secret not in out
    assert "postgres://bob:[REDACTED]@db/x" in out


def test_calls_are_logged_and_searchable_newest_first(tmp_path: Path) -> None:
    call = ToolCall("c1", "run_sql", {"sql": "SELECT saves FROM engagement_daily"})
    inner = ScriptedModel(["first answer", ModelReply("", (call,)), "streamed text"], name="m1")
    model = LoggingModel(inner, PromptLog.in_state_dir(tmp_path))
    model.complete([user("question about hide rate")])
    model.complete([user("run it")], tools=[ToolSpec("run_sql", "Run SQL.")])
    assert list(model.stream([user("stream please")])) == ["streamed ", "text"]

    everything = search_log(tmp_path)
    assert [e.kind for e in everything] == ["stream", "complete", "complete"]
    assert everything[0].reply == "streamed text"
    assert all(e.model == "m1" and e.latency_ms >= 0 for e in everything)

    (hit,) = search_log(tmp_path, "HIDE RATE")
    assert hit.reply == "first answer"
    (tool_hit,) = search_log(tmp_path, "engagement_daily")
    assert tool_hit.tool_calls_json is not None and "run_sql" in tool_hit.tool_calls_json


def test_failures_are_logged_with_their_error(tmp_path: Path) -> None:
    model = LoggingModel(
        ScriptedModel([LLMError("endpoint down", hint="try later")]),
        PromptLog.in_state_dir(tmp_path),
    )
    with pytest.raises(LLMError):
        model.complete([user("q")])
    (entry,) = search_log(tmp_path, "endpoint down")
    assert entry.reply is None and entry.error is not None and "try later" in entry.error


def test_like_wildcards_in_the_search_text_are_literal(tmp_path: Path) -> None:
    model = LoggingModel(ScriptedModel(["a", "b"]), PromptLog.in_state_dir(tmp_path))
    model.complete([user("100% sure")])
    model.complete([user("1000 rows")])
    assert [e.reply for e in search_log(tmp_path, "100%")] == ["a"]


def test_search_without_a_log_is_empty(tmp_path: Path) -> None:
    assert search_log(tmp_path, "anything") == []
