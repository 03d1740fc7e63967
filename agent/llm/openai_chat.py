"""The `ChatModel` for any OpenAI-compatible endpoint, over LangChain's `ChatOpenAI`.

Works with OpenAI, Azure OpenAI's /openai/v1 endpoint, Ollama, vLLM and llama.cpp's server —
anything that speaks POST {base_url}/chat/completions. LangChain and the openai client are
built with max_retries=0 so `agent.llm.retry` is the single retry policy: time-outs, 429s, 5xx,
dropped connections and tool calls whose arguments are not JSON are retried with back-off, then
end in a `tools.errors.LLMError` with a hint, and the caller falls back to the offline path.
The API key stays in a SecretStr: it is sent to the endpoint and never logged or stored.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from agent.config import LLMSettings
from agent.llm.model import Message, ModelReply, StreamPart, ToolCall, ToolSpec, Usage
from agent.llm.redact import redact_secrets
from agent.llm.retry import RetriesExhausted, RetryableFailure, RetryPolicy, call_with_retries
from tools.errors import LLMError

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langchain_openai import ChatOpenAI

log = logging.getLogger("lablens.llm")

# Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the openai client refuses to start
# without one; this placeholder is what their docs suggest.
_NO_KEY = "not-needed"
_OFFLINE = "lablens still answers without the model (the offline path)."


class OpenAIChatModel:
    def __init__(
        self,
        settings: LLMSettings,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.name = settings.model
        self.policy = policy or RetryPolicy(max_retries=settings.max_retries)
        self._sleep = sleep
        self._key = settings.api_key.get_secret_value() if settings.api_key else None
        self._chat: ChatOpenAI | None = None

    @property
    def endpoint(self) -> str:
        """The base URL for messages: credentials in the URL are dropped."""
        if not self.settings.base_url:
            return "the default OpenAI endpoint"
        parts = urlsplit(self.settings.base_url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    # -- the ChatModel interface -------------------------------------------------------------
    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> ModelReply:
        lc_messages = to_langchain(messages)
        runnable: Any = self._client()
        if tools:
            runnable = runnable.bind_tools([t.to_openai() for t in tools])
        log.debug(
            "model %s at %s: %d messages, %d tools",
            self.name,
            self.endpoint,
            len(messages),
            len(tools or ()),
        )

        def attempt() -> ModelReply:
            try:
                message = runnable.invoke(lc_messages)
            except Exception as exc:
                raise self._classify(exc) from exc
            return reply_from_langchain(message)

        reply: ModelReply = self._with_retries(attempt)
        return reply

    def stream(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] | None = None
    ) -> Iterator[StreamPart]:
        """Text chunks as they arrive, then (with `tools`) the tool calls, each whole.

        Failures before the first text chunk are retried — including a tool-only reply whose
        arguments are not JSON; after it, text is already on the user's screen, so a failure
        ends the stream with an LLMError.
        """
        lc_messages = to_langchain(messages)
        runnable: Any = self._client()
        if tools:
            runnable = runnable.bind_tools([t.to_openai() for t in tools])

        def open_stream() -> tuple[list[Any], Iterator[Any], ModelReply | None]:
            # Pull chunks until the first text arrives; until then a failure is retryable.
            try:
                chunks = iter(runnable.stream(lc_messages))
                head: list[Any] = []
                for chunk in chunks:
                    head.append(chunk)
                    if _text(chunk.content):
                        return head, chunks, None
                # The whole reply came without text (tool calls only, or nothing): parse it
                # here, where a malformed tool call can still be retried.
                return head, iter(()), _reply_of(head) if head else ModelReply("")
            except Exception as exc:
                raise self._classify(exc) from exc

        head, rest, whole = self._with_retries(open_stream)
        finished = False
        seen: list[Any] = []
        try:
            for chunk in itertools.chain(head, rest):
                seen.append(chunk)
                # Every OpenAI-compatible server ends a stream with a finish_reason; without
                # one, the connection dropped and the text on screen is incomplete.
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                text = _text(chunk.content)
                if text:
                    yield text
        except Exception as exc:
            failure = self._classify(exc)
            if isinstance(failure, LLMError):
                raise failure from exc
            raise self._cut_off(failure.reason) from exc
        finally:
            # Release the HTTP response now if the caller stopped reading (e.g. UI cancel).
            close = getattr(rest, "close", None)
            if close is not None:
                close()
        if not finished:
            raise self._cut_off("the stream ended without a finish reason")
        if tools:
            if whole is None:
                try:
                    whole = _reply_of(seen)
                except RetryableFailure as failure:
                    raise self._cut_off(failure.reason) from None
            yield from whole.tool_calls

    # -- internals --------------------------------------------------------------------------
    def _client(self) -> ChatOpenAI:
        if self._chat is None:
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr

            self._chat = ChatOpenAI(
                model=self.settings.model,
                base_url=self.settings.base_url,
                api_key=SecretStr(self._key or _NO_KEY),
                temperature=self.settings.temperature,
                timeout=self.settings.timeout_s,
                max_retries=0,  # ours is the one retry policy
                # Local servers implement chat completions, not OpenAI's Responses API.
                use_responses_api=False,
                stream_usage=False,  # `stream_options` is rejected by some older servers
            )
        return self._chat

    def _cut_off(self, reason: str) -> LLMError:
        return self._error(
            f"The answer from {self.name} was cut off: {reason}.", "Ask again; " + _OFFLINE
        )

    def _with_retries(self, attempt: Callable[[], Any]) -> Any:
        try:
            return call_with_retries(attempt, self.policy, sleep=self._sleep)
        except RetriesExhausted as exc:
            raise self._error(
                f"The model {self.name} at {self.endpoint} failed {exc.attempts} times; "
                f"last problem: {exc.last.reason}.",
                _hint_for(exc.last.reason),
            ) from None

    def _error(self, message: str, hint: str) -> LLMError:
        return LLMError(redact_secrets(message, [self._key]), hint=hint)

    def _classify(self, exc: Exception) -> RetryableFailure | LLMError:
        """Sort an exception into 'try again' or 'stop now with this message'."""
        import openai

        detail = redact_secrets(_api_message(exc), [self._key])
        if isinstance(exc, RetryableFailure | LLMError):
            return exc
        if isinstance(exc, openai.APITimeoutError) or _is_transport_timeout(exc):
            return RetryableFailure(f"no answer within timeout_s={self.settings.timeout_s:g}")
        if isinstance(exc, openai.APIConnectionError) or _is_transport_error(exc):
            return RetryableFailure(f"cannot connect to {self.endpoint}")
        if isinstance(exc, openai.RateLimitError):
            return RetryableFailure(
                f"rate limited (HTTP 429): {detail}", retry_after_s=_retry_after(exc)
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status >= 500 or status == 408:
                return RetryableFailure(f"server error (HTTP {status}): {detail}")
            if status in (401, 403):
                return self._error(
                    f"{self.endpoint} refused the API key (HTTP {status}): {detail}",
                    "Set OPENAI_API_KEY or `api_key` in [llm] of lablens.toml; " + _OFFLINE,
                )
            if status == 404:
                return self._error(
                    f"{self.endpoint} has no model `{self.name}` or no chat endpoint (HTTP 404): "
                    f"{detail}",
                    "Check [llm] model, and that base_url ends in /v1 (e.g. "
                    "http://localhost:11434/v1 for Ollama); " + _OFFLINE,
                )
            return self._error(
                f"{self.endpoint} rejected the request (HTTP {status}): {detail}",
                "The model or server may not support this request (e.g. tool calling); " + _OFFLINE,
            )
        return self._error(
            f"Unexpected failure calling {self.name}: {type(exc).__name__}: {detail}", _OFFLINE
        )


def to_langchain(messages: Sequence[Message]) -> list[BaseMessage]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    out: list[BaseMessage] = []
    for m in messages:
        if m.role == "system":
            out.append(SystemMessage(m.content))
        elif m.role == "user":
            out.append(HumanMessage(m.content))
        elif m.role == "assistant":
            out.append(
                AIMessage(
                    m.content,
                    tool_calls=[
                        {"id": c.id, "name": c.name, "args": c.arguments, "type": "tool_call"}
                        for c in m.tool_calls
                    ],
                )
            )
        else:
            out.append(ToolMessage(m.content, tool_call_id=m.tool_call_id or ""))
    return out


def reply_from_langchain(message: Any) -> ModelReply:
    """A `ModelReply` from an AIMessage; unparseable tool-call arguments are a retryable failure
    (the model usually gets them right on the next try)."""
    bad = list(getattr(message, "invalid_tool_calls", None) or [])
    if bad:
        names = ", ".join(f"`{c.get('name') or '?'}`" for c in bad)
        raise RetryableFailure(f"malformed tool call {names}: arguments are not valid JSON")
    calls = []
    for i, call in enumerate(message.tool_calls or []):
        args = call.get("args")
        if not isinstance(args, dict):
            raise RetryableFailure(
                f"malformed tool call `{call.get('name')}`: arguments are not a JSON object"
            )
        calls.append(ToolCall(id=call.get("id") or f"call_{i}", name=call["name"], arguments=args))
    meta = getattr(message, "usage_metadata", None) or {}
    usage = Usage(int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0)))
    return ModelReply(_text(message.content), tuple(calls), usage)


def _reply_of(chunks: list[Any]) -> ModelReply:
    """The reply of a finished stream: chunks summed (LangChain joins tool-call fragments)."""
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    # LangChain reads unparseable streamed arguments as `{}` without a word; a call with its
    # arguments silently dropped must not run, so the joined text is checked here.
    for part in getattr(total, "tool_call_chunks", None) or []:
        raw = part.get("args") or ""
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            name = part.get("name") or "?"
            raise RetryableFailure(f"malformed tool call `{name}`: arguments are not valid JSON")
    return reply_from_langchain(total)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    # Some servers send content as a list of parts: keep the text parts.
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


def _api_message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
    return str(getattr(exc, "message", None) or exc)


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from model servers; fall back to our back-off


def _transport_module(exc: Exception) -> bool:
    # openai raises httpx/httpx2 errors unwrapped when a streamed body fails midway.
    return type(exc).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore")


def _is_transport_timeout(exc: Exception) -> bool:
    return _transport_module(exc) and "Timeout" in type(exc).__name__


def _is_transport_error(exc: Exception) -> bool:
    return _transport_module(exc) and type(exc).__name__ in (
        "RemoteProtocolError",
        "ReadError",
        "ConnectError",
        "WriteError",
        "NetworkError",
        "CloseError",
        "ProtocolError",
        "TransportError",
    )


def _hint_for(reason: str) -> str:
    if reason.startswith("rate limited"):
        return (
            "The endpoint is rate limiting; wait a minute or raise [llm] max_retries. " + _OFFLINE
        )
    if reason.startswith("no answer within"):
        return "Raise [llm] timeout_s, or use a smaller/faster model. " + _OFFLINE
    if reason.startswith("cannot connect"):
        return (
            "Is the server running and is [llm] base_url right (it usually ends in /v1)? "
            + _OFFLINE
        )
    if reason.startswith("malformed tool call"):
        return "This model does not produce reliable tool calls; try a stronger model. " + _OFFLINE
    return "The model server is failing; try again later. " + _OFFLINE
