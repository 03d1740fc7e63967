"""What one asked question came to: the answer, the tool steps behind it, where it came from.

`lablens ask --json` prints `AskResult.to_dict()`; the history store keeps the same steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from agent.assistant.events import AnswerReady, Failed, Mode, Source, StepFinished

# A question is kept (in the JSON and the history) up to this many characters.
SHOWN_QUESTION_CHARS = 4000


@dataclass(frozen=True)
class AskStep:
    """One tool call of an answer, as scripts read it: what ran, on what, and how it went."""

    tool: str
    input: Mapping[str, object]
    ok: bool
    summary: str  # the tool's one-line summary, or its error when it failed

    @classmethod
    def of(cls, event: StepFinished) -> AskStep:
        return cls(
            event.tool,
            dict(event.input),
            event.ok,
            event.summary if event.ok else (event.error or event.summary),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "tool": self.tool,
            "input": dict(self.input),
            "ok": self.ok,
            "summary": self.summary,
        }

    def to_text(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.summary}"


@dataclass(frozen=True)
class AskResult:
    """An answered question, or one that could not be answered (`error` is its title then)."""

    question: str
    answer: str
    steps: tuple[AskStep, ...] = ()
    sources: tuple[Source, ...] = ()
    sql: tuple[str, ...] = ()
    mode: Mode = "offline"
    grounded: bool = True
    error: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)  # for a follow-up, not printed

    @classmethod
    def of(
        cls, question: str, final: AnswerReady | Failed, steps: tuple[AskStep, ...]
    ) -> AskResult:
        shown = question.strip()[:SHOWN_QUESTION_CHARS]
        if isinstance(final, AnswerReady):
            return cls(
                shown,
                final.text,
                steps,
                final.sources,
                final.sql,
                final.mode,
                final.grounded,
                context=final.context,
            )
        text = final.message + (f"\n{final.hint}" if final.hint else "")
        return cls(shown, text, steps, error=final.title)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "question": self.question,
            "answer": self.answer,
            "steps": [s.to_dict() for s in self.steps],
            "sources": [s.to_dict() for s in self.sources],
            "sql": list(self.sql),
            "mode": self.mode,
            "grounded": self.grounded,
        }
        if self.error is not None:
            data["error"] = self.error
        return data

    def to_text(self) -> str:
        return self.answer if self.error is None else f"{self.error}: {self.answer}"
