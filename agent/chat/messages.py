"""Messages between the chat's widgets, as dataclasses (Textual messages carry no logic)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PromptSubmitted(Message):
    """The person sent `text` from the input."""

    text: str


@dataclass
class ReferenceChosen(Message):
    """An item of the side panel was chosen: `reference` goes into the input."""

    reference: str
