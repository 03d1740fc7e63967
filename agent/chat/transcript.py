"""The conversation as plain data: what export and history keep of each turn.

Built by the app from the core's events, so an export shows exactly what was on screen: the
question, the answer, the SQL that ran, the sources, notes and errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepRecord:
    tool: str
    summary: str
    ok: bool
    data: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Turn:
    question: str
    answer: str = ""
    mode: str = ""
    grounded: bool | None = None
    steps: list[StepRecord] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False

    def last_rows(self) -> tuple[list[str], list[Sequence[object]]] | None:
        """Columns and rows of this turn's last tabular result, if any."""
        for step in reversed(self.steps):
            data = step.data or {}
            if data.get("columns") and "rows" in data:
                return [str(c) for c in data["columns"]], list(data["rows"])
        return None


@dataclass
class Transcript:
    turns: list[Turn] = field(default_factory=list)

    def last_rows(self) -> tuple[list[str], list[Sequence[object]]] | None:
        for turn in reversed(self.turns):
            found = turn.last_rows()
            if found is not None:
                return found
        return None
