"""The loopback OpenAI-compatible server itself, spoken to with plain urllib."""

from __future__ import annotations

import base64
import json
import struct
import urllib.error
import urllib.request
from typing import Any

import pytest

from agent.llm.loopback_server import LoopbackServer, hash_embedding


def _call(
    url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def test_embeddings_are_deterministic_unit_vectors(server: LoopbackServer) -> None:
    status, raw = _call(
        server.base_url + "/embeddings",
        {"model": "e", "input": ["saves per user", "hide rate", "saves per user"]},
    )
    assert status == 200
    vectors = [d["embedding"] for d in json.loads(raw)["data"]]
    assert len(vectors) == 3 and all(len(v) == 64 for v in vectors)
    assert vectors[0] == vectors[2] != vectors[1]
    assert sum(x * x for x in vectors[1]) == pytest.approx(1.0)
    assert vectors[1] == hash_embedding("hide rate", 64)


def test_embeddings_honour_dimension_and_base64(server: LoopbackServer) -> None:
    status, raw = _call(
        server.base_url + "/embeddings",
        {"input": "x", "dimensions": 8, "encoding_format": "base64"},
    )
    assert status == 200
    packed = base64.b64decode(json.loads(raw)["data"][0]["embedding"])
    assert list(struct.unpack("<8f", packed)) == pytest.approx(hash_embedding("x", 8))


def test_models_lists_the_configured_model() -> None:
    with LoopbackServer(model="qwen2.5-coder") as srv:
        status, raw = _call(srv.base_url + "/models")
    assert status == 200
    assert [m["id"] for m in json.loads(raw)["data"]] == ["qwen2.5-coder"]


def test_empty_queue_answers_with_a_clear_400(server: LoopbackServer) -> None:
    status, raw = _call(server.base_url + "/chat/completions", {"messages": []})
    assert status == 400
    assert "no scripted chat response left" in json.loads(raw)["error"]["message"]


def test_required_key_is_checked(server: LoopbackServer) -> None:
    with LoopbackServer(["hi"], require_api_key="k-123") as srv:
        denied, _ = _call(
            srv.base_url + "/chat/completions", {"messages": []}, {"Authorization": "Bearer wrong"}
        )
        allowed, raw = _call(
            srv.base_url + "/chat/completions", {"messages": []}, {"Authorization": "Bearer k-123"}
        )
    assert (denied, allowed) == (401, 200)
    assert json.loads(raw)["choices"][0]["message"]["content"] == "hi"


def test_stream_is_sse_ending_with_done(server: LoopbackServer) -> None:
    server.add("a b")
    status, raw = _call(
        server.base_url + "/chat/completions",
        {"messages": [], "stream": True, "stream_options": {"include_usage": True}},
    )
    events = [line[len("data: ") :] for line in raw.decode().split("\n\n") if line]
    assert status == 200 and events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "a b"
    assert chunks[-1]["usage"]["completion_tokens"] == 2


def test_server_binds_loopback_and_stops() -> None:
    with LoopbackServer() as srv:
        url = srv.base_url
        assert url.startswith("http://127.0.0.1:")
    with pytest.raises(urllib.error.URLError):
        _call(url + "/models")


def test_server_stops_by_itself_after_its_lifetime() -> None:
    srv = LoopbackServer(lifetime_s=0.1).start()
    url = srv.base_url
    assert srv.wait_until_stopped(timeout=5)
    with pytest.raises(urllib.error.URLError):
        _call(url + "/models")
    srv.stop()  # stopping twice is harmless
