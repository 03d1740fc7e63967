"""Fixtures for the LLM layer: a loopback server and an adapter pointed at it (no network)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent.config import LLMSettings, Secret
from agent.llm.loopback_server import LoopbackServer
from agent.llm.openai_chat import OpenAIChatModel
from agent.llm.retry import RetryPolicy

API_KEY = "sk-lablens-test-0123456789abcdef"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection off 127.0.0.1 fails the test loudly."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1"):
            raise AssertionError(f"test tried to reach {address!r}; only loopback is allowed")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(lifetime_s=60) as srv:
        yield srv


@pytest.fixture
def sleeps() -> list[float]:
    """Back-off delays the adapter asked for; recorded instead of slept, to keep tests fast."""
    return []


@pytest.fixture
def make_model(server: LoopbackServer, sleeps: list[float]) -> Callable[..., OpenAIChatModel]:
    def make(*, max_retries: int = 2, timeout_s: float = 5.0) -> OpenAIChatModel:
        settings = LLMSettings(
            base_url=server.base_url,
            api_key=Secret(API_KEY),
            model="loopback-model",
            timeout_s=timeout_s,
            max_retries=max_retries,
        )
        return OpenAIChatModel(
            settings, policy=RetryPolicy(max_retries=max_retries), sleep=sleeps.append
        )

    return make
