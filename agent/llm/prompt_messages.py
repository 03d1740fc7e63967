"""Render a prompt file from `prompts/` straight into chat `Message`s."""

from __future__ import annotations

from typing import cast

from agent.llm.model import Message, Role
from prompts import render_turns


def prompt_messages(name: str, **values: object) -> list[Message]:
    """`prompts/<name>.md` rendered with `values`, one `Message` per role section."""
    # render_turns only yields roles from prompts.ROLES, all of which are valid here.
    return [Message(cast(Role, role), text) for role, text in render_turns(name, **values)]
