"""A model with a queue of canned replies, for tests and offline demos: no network, no LangChain.

Each call takes the next reply: a string (plain text), a `ModelReply` (e.g. with tool calls), or
an exception instance, which is raised — so tests can script "first an LLMError, then success".
Every prompt it receives is recorded in `calls`, so tests can assert what the prompt contained.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from agent.llm.model import Message, ModelReply, StreamPart, ToolSpec
from tools.errors import LLMError


@dataclass(frozen=True)
class ScriptedCall:
    kind: str  # "complete" or "stream"
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...]

    @property
    def prompt_text(self) -> str:
        """All message contents joined: convenient for `assert "saves" in call.prompt_text`."""
        return "\n\n".join(m.content for m in self.messages)


class ScriptedModel:
    def __init__(
        self, replies: Iterable[str | ModelReply | BaseException] = (), *, name: str = "scripted"
    ) -> None:
        self.name = name
        self._replies: deque[str | ModelReply | BaseException] = deque(replies)
        self.calls: list[ScriptedCall] = []

    def add(self, *replies: str | ModelReply | BaseException) -> None:
        self._replies.extend(replies)

    @property
    def remaining(self) -> int:
        return len(self._replies)

    @property
    def last_call(self) -> ScriptedCall:
        if not self.calls:
            raise AssertionError("the scripted model was never called")
        return self.calls[-1]

    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> ModelReply:
        reply = self._next("complete", messages, tools)
        return reply if isinstance(reply, ModelReply) else ModelReply(reply)

    def stream(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> Iterator[StreamPart]:
        reply = self._next("stream", messages, tools)
        text = reply.text if isinstance(reply, ModelReply) else reply
        # Word-sized chunks, like a real server, so consumers are exercised on partial text.
        if text:
            words = text.split(" ")
            for i, word in enumerate(words):
                yield word if i == len(words) - 1 else word + " "
        if isinstance(reply, ModelReply):
            yield from reply.tool_calls

    def _next(
        self, kind: str, messages: Sequence[Message], tools: Sequence[ToolSpec] | None
    ) -> str | ModelReply:
        self.calls.append(ScriptedCall(kind, tuple(messages), tuple(tools or ())))
        if not self._replies:
            raise LLMError(
                f"The scripted model has no reply left for call {len(self.calls)}.",
                hint="Add more replies to ScriptedModel([...]) in the test.",
            )
        reply = self._replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        return reply
