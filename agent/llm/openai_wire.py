"""The OpenAI wire format, as pure functions: what the loopback server answers.

Scripted responses go in (`ChatResponse`, `ErrorResponse`), JSON bodies and SSE chunk payloads
come out, so the format is testable without a socket and the server stays plumbing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict


@dataclass(frozen=True)
class ScriptedToolCall:
    name: str
    arguments: dict[str, object] | str  # a str is sent verbatim: use it for malformed JSON
    id: str | None = None


@dataclass(frozen=True)
class ChatResponse:
    text: str = ""
    tool_calls: tuple[ScriptedToolCall, ...] = ()
    delay_s: float = 0.0  # wait before answering (set above the client's timeout to time out)
    cut_after_chunks: int | None = None  # streaming: drop the connection after n text chunks


@dataclass(frozen=True)
class ErrorResponse:
    status: int
    message: str = "scripted failure"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"Retry-After": "0"}


# A request body is whatever JSON the client sent: open by nature, read defensively.
Request = dict[str, Any]


class FunctionJson(TypedDict):
    name: str
    arguments: str


class ToolCallJson(TypedDict):
    id: str
    type: str
    function: FunctionJson


def error_body(status: int, message: str) -> dict[str, object]:
    return {"error": {"message": message, "type": "loopback_error", "code": status}}


def models_body(model: str) -> dict[str, object]:
    return {
        "object": "list",
        "data": [{"id": model, "object": "model", "created": 0, "owned_by": "lablens-loopback"}],
    }


def completion_body(model: str, request: Request, reply: ChatResponse) -> dict[str, object]:
    """A non-streamed `chat.completion` answering `request` with `reply`."""
    calls = [_tool_call(i, c) for i, c in enumerate(reply.tool_calls)]
    message: dict[str, object] = {"role": "assistant", "content": reply.text or None}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": _completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": usage_for(request, reply.text),
    }


def completion_chunks(
    model: str, request: Request, reply: ChatResponse
) -> Iterator[dict[str, object]]:
    """The `chat.completion.chunk` payloads of a streamed answer, in order (before [DONE]).

    Text comes word by word; each tool call's arguments are split across two chunks, as real
    servers do. With `cut_after_chunks` the stream stops early, like a server dying mid-answer.
    """
    cid, created = _completion_id(), int(time.time())

    def chunk(delta: dict[str, object], finish: str | None = None) -> dict[str, object]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    yield chunk({"role": "assistant", "content": ""})
    words = reply.text.split(" ") if reply.text else []
    for i, word in enumerate(words):
        if reply.cut_after_chunks is not None and i >= reply.cut_after_chunks:
            return
        yield chunk({"content": word if i == len(words) - 1 else word + " "})
    for i, call in enumerate(reply.tool_calls):
        full = _tool_call(i, call)
        args, half = full["function"]["arguments"], len(full["function"]["arguments"]) // 2
        head = {**full, "index": i, "function": {"name": call.name, "arguments": args[:half]}}
        yield chunk({"tool_calls": [head]})
        yield chunk({"tool_calls": [{"index": i, "function": {"arguments": args[half:]}}]})
    yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
    if (request.get("stream_options") or {}).get("include_usage"):
        usage = chunk({})
        usage["choices"], usage["usage"] = [], usage_for(request, reply.text)
        yield usage


def embeddings_body(request: Request, default_dim: int) -> dict[str, object] | None:
    """A `/v1/embeddings` answer with `hash_embedding` vectors; None if `input` is unusable."""
    inputs = request.get("input")
    if isinstance(inputs, str) or (
        isinstance(inputs, list) and inputs and isinstance(inputs[0], int)
    ):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs:
        return None
    dim = int(request.get("dimensions") or default_dim)
    as_base64 = request.get("encoding_format") == "base64"
    data = []
    for i, item in enumerate(inputs):
        # Token-id inputs (lists of ints) are hashed by their JSON form.
        vec = hash_embedding(item if isinstance(item, str) else json.dumps(item), dim)
        emb: list[float] | str = (
            base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode("ascii") if as_base64 else vec
        )
        data.append({"object": "embedding", "index": i, "embedding": emb})
    tokens = sum(len(str(x).split()) for x in inputs)
    return {
        "object": "list",
        "data": data,
        "model": request.get("model", ""),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def hash_embedding(text: str, dim: int) -> list[float]:
    """A unit vector determined by `text` alone: same text, same vector, on every machine."""
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    rng = random.Random(seed)
    vec = [rng.gauss(0.0, 1.0) for _ in range(dim)]
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def usage_for(request: Request, text: str) -> dict[str, int]:
    # Word counts stand in for tokens: deterministic and good enough to test usage plumbing.
    prompt = sum(len(str(m.get("content") or "").split()) for m in request.get("messages", []))
    completion = len(text.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _tool_call(index: int, call: ScriptedToolCall) -> ToolCallJson:
    args = call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
    return {
        "id": call.id or f"call_{index}_{call.name}",
        "type": "function",
        "function": {"name": call.name, "arguments": args},
    }


def _completion_id() -> str:
    return "chatcmpl-" + hashlib.sha1(str(time.perf_counter_ns()).encode()).hexdigest()[:12]
