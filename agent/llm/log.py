"""Every prompt and response, logged to SQLite in the workspace and searchable.

The log lives at `<workspace>/.lablens/llm_log.sqlite3`. Everything written is passed through
`redact_secrets` first (the configured key's exact value plus anything shaped like a key), so
the log can be shared when debugging a bad answer.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.llm.model import (
    Message,
    ModelReply,
    StreamPart,
    ToolCall,
    ToolSpec,
    messages_to_json,
)
from agent.llm.redact import redact_secrets
from tools.errors import LablensError

LOG_FILE = "llm_log.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    messages_json TEXT NOT NULL,
    tools_json TEXT,
    reply TEXT,
    tool_calls_json TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT
)
"""


@dataclass(frozen=True)
class LogEntry:
    id: int
    ts: str
    model: str
    kind: str  # "complete" or "stream"
    messages_json: str
    tools_json: str | None
    reply: str | None
    tool_calls_json: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float
    error: str | None


class PromptLog:
    """Appends calls to one SQLite file; opens a short connection per write (thread-safe)."""

    def __init__(self, path: Path, *, secrets: Sequence[str | None] = ()) -> None:
        self.path = path
        self._secrets = tuple(s for s in secrets if s)
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(_SCHEMA)

    @classmethod
    def in_state_dir(cls, state_dir: Path, *, secrets: Sequence[str | None] = ()) -> PromptLog:
        return cls(state_dir / LOG_FILE, secrets=secrets)

    def record(
        self,
        *,
        model: str,
        kind: str,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] | None,
        reply: ModelReply | None,
        latency_ms: float,
        error: str | None = None,
    ) -> None:
        clean = self._redact
        tools_json = json.dumps([asdict(t) for t in tools]) if tools else None
        calls_json = (
            json.dumps([asdict(c) for c in reply.tool_calls])
            if reply is not None and reply.tool_calls
            else None
        )
        row = (
            datetime.now(UTC).isoformat(timespec="milliseconds"),
            model,
            kind,
            clean(messages_to_json(messages)),
            clean(tools_json),
            clean(reply.text if reply else None),
            clean(calls_json),
            reply.usage.prompt_tokens if reply else None,
            reply.usage.completion_tokens if reply else None,
            round(latency_ms, 2),
            clean(error),
        )
        with closing(sqlite3.connect(self.path)) as conn, conn:
            conn.execute(
                "INSERT INTO llm_calls (ts, model, kind, messages_json, tools_json, reply, "
                "tool_calls_json, prompt_tokens, completion_tokens, latency_ms, error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def _redact(self, text: str | None) -> str | None:
        return None if text is None else redact_secrets(text, self._secrets)


def search_log(state_dir: Path, text: str = "", *, limit: int = 20) -> list[LogEntry]:
    """Newest first: calls whose messages, reply, tool calls or error contain `text`
    (case-insensitive; empty text lists the latest calls)."""
    path = state_dir / LOG_FILE
    if not path.is_file():
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = " OR ".join(
        f"{col} LIKE ? ESCAPE '\\'"
        for col in ("messages_json", "reply", "tool_calls_json", "error", "model")
    )
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            rows = conn.execute(
                f"SELECT * FROM llm_calls WHERE {where} ORDER BY id DESC LIMIT ?",
                (*([pattern] * 5), limit),
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise LablensError(
            f"Cannot read the model log {path}: {exc}", hint="Delete the file to start a fresh log."
        ) from None
    return [LogEntry(*row) for row in rows]


class LoggingModel:
    """Wraps any `ChatModel` so that each call (and each failure) lands in a `PromptLog`."""

    def __init__(self, inner: object, log: PromptLog) -> None:
        from agent.llm.model import ChatModel

        if not isinstance(inner, ChatModel):
            raise TypeError(f"{inner!r} is not a ChatModel")
        self.inner: ChatModel = inner
        self.log = log

    @property
    def name(self) -> str:
        return self.inner.name

    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> ModelReply:
        start = time.perf_counter()
        try:
            reply = self.inner.complete(messages, tools=tools)
        except Exception as exc:
            self._record("complete", messages, tools, None, start, _describe(exc))
            raise
        self._record("complete", messages, tools, reply, start, None)
        return reply

    def stream(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> Iterator[StreamPart]:
        start = time.perf_counter()
        parts: list[str] = []
        calls: list[ToolCall] = []
        error: str | None = None
        try:
            for chunk in self.inner.stream(messages, tools=tools):
                if isinstance(chunk, str):
                    parts.append(chunk)
                else:
                    calls.append(chunk)
                yield chunk
        except GeneratorExit:
            error = "stream closed early by the caller"
            raise
        except Exception as exc:
            error = _describe(exc)
            raise
        finally:
            reply = ModelReply("".join(parts), tuple(calls))
            self._record("stream", messages, tools, reply, start, error)

    def _record(
        self,
        kind: str,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] | None,
        reply: ModelReply | None,
        start: float,
        error: str | None,
    ) -> None:
        self.log.record(
            model=self.name,
            kind=kind,
            messages=messages,
            tools=tools,
            reply=reply,
            latency_ms=(time.perf_counter() - start) * 1000,
            error=error,
        )


def _describe(exc: BaseException) -> str:
    hint = getattr(exc, "hint", None)
    return f"{type(exc).__name__}: {exc}" + (f" (hint: {hint})" if hint else "")
