"""Build the configured model, or None when lablens should run offline.

Tests inject a model explicitly, with `override_model(ScriptedModel([...]))` — a context
manager over a module-level slot — never through an environment variable, so a stray variable
cannot swap the model a user talks to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agent.config import LLMSettings
from agent.llm.log import LoggingModel, PromptLog
from agent.llm.model import ChatModel

_override: ChatModel | None = None


def model_from_settings(
    settings: LLMSettings, *, state_dir: Path | None = None
) -> ChatModel | None:
    """The model for these settings (None if the LLM is off or not configured).

    With `state_dir` (a workspace's `.lablens/`), every call is logged to its llm_log.sqlite3.
    An installed override wins over the settings, so tests exercise the same code path.
    """
    model: ChatModel
    if _override is not None:
        model = _override
    elif not settings.configured:
        return None
    else:
        from agent.llm.openai_chat import OpenAIChatModel

        model = OpenAIChatModel(settings)
    if state_dir is None:
        return model
    key = settings.api_key.get_secret_value() if settings.api_key else None
    return LoggingModel(model, PromptLog.in_state_dir(state_dir, secrets=[key]))


@contextmanager
def override_model(model: ChatModel) -> Iterator[ChatModel]:
    """Make `model_from_settings` return `model` inside the block (for tests and demos)."""
    global _override
    previous, _override = _override, model
    try:
        yield model
    finally:
        _override = previous
