"""The model interface lablens talks to: plain data in, plain data out.

A `ChatModel` has two methods, `complete` and `stream`. Messages, tool specs, tool calls and
replies are frozen dataclasses so that callers, the scripted model, the SQLite log and the
OpenAI adapter all share one vocabulary and nothing here imports LangChain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A request from the model to run a tool; `arguments` is already-parsed JSON (a dict)."""

    id: str
    name: str
    arguments: dict[str, object]


@dataclass(frozen=True)
class Message:
    """One chat turn. `tool_calls` only on assistant turns, `tool_call_id` only on tool turns."""

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: its name, what it does, and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, object] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )

    def to_openai(self) -> dict[str, object]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ModelReply:
    """What a model answered: text (may be empty when it only calls tools), tool calls, usage."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)


# What `ChatModel.stream` yields: a chunk of text, or a tool call once its arguments are whole.
StreamPart = str | ToolCall


def text_of(parts: Iterable[StreamPart]) -> str:
    """The text of a stream (tool calls dropped): `"".join` for streams that may hold calls."""
    return "".join(p for p in parts if isinstance(p, str))


@runtime_checkable
class ChatModel(Protocol):
    """Anything lablens can ask: the OpenAI-compatible adapter, the scripted model, a logger."""

    @property
    def name(self) -> str: ...

    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> ModelReply: ...

    def stream(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> Iterator[StreamPart]:
        """Text chunks as they arrive; with `tools`, then each complete `ToolCall` the model
        made (after its text). Without tools only `str` chunks come."""
        ...


# Small constructors so call sites read like a conversation.
def system(content: str) -> Message:
    return Message("system", content)


def user(content: str) -> Message:
    return Message("user", content)


def assistant(content: str, tool_calls: Sequence[ToolCall] = ()) -> Message:
    return Message("assistant", content, tool_calls=tuple(tool_calls))


def assistant_turn(reply: ModelReply) -> Message:
    """The assistant message to append to a conversation after `reply`."""
    return Message("assistant", reply.text, tool_calls=reply.tool_calls)


def tool_result(call: ToolCall, content: str) -> Message:
    """A tool's output (or its error, as text the model can act on) answering `call`."""
    return Message("tool", content, tool_call_id=call.id)


def tool_error(call: ToolCall, problem: str, *, hint: str | None = None) -> Message:
    """A failed tool call reported back to the model so it can correct itself and try again."""
    text = f"ERROR from tool `{call.name}`: {problem}"
    if hint:
        text += f"\nHint: {hint}"
    return tool_result(call, text + "\nFix the arguments and call the tool again, or answer.")


def messages_to_json(messages: Sequence[Message]) -> str:
    """A stable JSON form of a conversation (used by the log and by tests)."""
    return json.dumps([asdict(m) for m in messages], ensure_ascii=False)
