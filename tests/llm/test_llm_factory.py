"""model_from_settings: None offline, the adapter when configured, an explicit test override."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import LLMSettings, Secret
from agent.llm.factory import model_from_settings, override_model
from agent.llm.log import LoggingModel, search_log
from agent.llm.model import user
from agent.llm.openai_chat import OpenAIChatModel
from agent.llm.scripted import ScriptedModel


def test_no_model_when_not_configured_or_off() -> None:
    assert model_from_settings(LLMSettings()) is None
    assert model_from_settings(LLMSettings(base_url="http://127.0.0.1:9/v1", enabled="off")) is None


def test_adapter_when_a_base_url_is_set() -> None:
    model = model_from_settings(LLMSettings(base_url="http://127.0.0.1:9/v1", model="llama3.1"))
    assert isinstance(model, OpenAIChatModel) and model.name == "llama3.1"


def test_override_wins_and_is_logged_with_the_key_redacted(tmp_path: Path) -> None:
    key = "sk-override-test-key-000"
    scripted = ScriptedModel([f"reply mentioning {key}"])
    with override_model(scripted):
        model = model_from_settings(LLMSettings(api_key=Secret(key)), state_dir=tmp_path)
        assert isinstance(model, LoggingModel)
        model.complete([user("hello")])
    assert model_from_settings(LLMSettings()) is None  # override removed on exit
    (entry,) = search_log(tmp_path, "hello")
    assert key not in (entry.reply or "")


def test_importing_the_llm_layer_does_not_load_langchain() -> None:
    code = (
        "import sys, agent.llm; "
        "print(sorted(m for m in sys.modules if m.startswith(('langchain', 'openai'))))"
    )
    repo_root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo_root
    )
    assert out.stdout.strip() == "[]"


def test_the_guard_blocks_non_loopback_connections() -> None:
    import socket

    with socket.socket() as sock, pytest.raises(AssertionError, match="only loopback"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed
