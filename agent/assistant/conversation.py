"""One exchange of a conversation, as history keeps it and follow-ups read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from agent.assistant.followup import Previous


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    kind: str = ""  # the route: data, docs, experiment, mixed, list, catalog, llm
    resolved_question: str = ""  # the question as answered (a follow-up rewritten in full)
    experiment_id: str | None = None

    def previous(self) -> Previous:
        return Previous(self.kind, self.resolved_question or self.question, self.experiment_id)

    @classmethod
    def from_context(cls, question: str, answer: str, context: Mapping[str, str]) -> Turn:
        return cls(
            question=question,
            answer=answer,
            kind=context.get("kind", ""),
            resolved_question=context.get("question", question),
            experiment_id=context.get("experiment_id") or None,
        )
