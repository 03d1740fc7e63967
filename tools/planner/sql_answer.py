"""The result object of a question -> SQL answer, the same for the planner and the LLM path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tools.sql.problems import Problem


@dataclass
class SqlAnswer:
    question: str
    sql: str
    dialect: str
    valid: bool
    source: Literal["planner", "llm"]
    explanation: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    row_count: int = 0
    executed: bool = False
    notes: list[str] = field(default_factory=list)  # e.g. "LLM failed; answered by the planner"
    attempts: int = 1  # model generations used (1 + repairs); 1 for the planner

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "sql": self.sql,
            "dialect": self.dialect,
            "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors],
            "explanation": self.explanation,
            "source": self.source,
            "columns": self.columns,
            "rows": self.rows,
            "row_count": self.row_count,
            "executed": self.executed,
            "notes": self.notes,
            "warnings": [p.to_dict() for p in self.warnings],
            "attempts": self.attempts,
        }
