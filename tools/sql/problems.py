"""What the validator reports: problems with a stable code, a message and a hint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding. `code` is stable (scripts and the LLM repair loop key on it)."""

    code: str
    message: str
    hint: str | None = None
    severity: Severity = "error"
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.line is not None:
            data["line"] = self.line
            data["column"] = self.column
        return data


def error(
    code: str,
    message: str,
    hint: str | None = None,
    *,
    node: Any = None,
    line: int | None = None,
    column: int | None = None,
) -> Problem:
    """An error; its position comes from `node` (a parsed sqlglot node) when one is given."""
    if node is not None and line is None:
        line, column = position_of(node)
    return Problem(code, message, hint, "error", line, column)


def warning(code: str, message: str, hint: str | None = None) -> Problem:
    return Problem(code, message, hint, "warning")


def position_of(node: Any) -> tuple[int | None, int | None]:
    """Line and column the parser recorded on the node or, failing that, inside it.

    sqlglot records positions on tokens (identifiers, literals), not on every node, so a
    `DELETE` inside a CTE is located by the first name or value in it.
    """
    walk = getattr(node, "walk", None)
    candidates = walk() if callable(walk) else [node]
    for candidate in candidates:
        meta = getattr(candidate, "meta", None) or {}
        if "line" in meta:
            return meta.get("line"), meta.get("col")
    return None, None


@dataclass
class ValidationReport:
    """The verdict on one statement: `sql` is what may run (normalized, transpiled, limited)."""

    valid: bool
    sql: str
    dialect: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    read_dialect: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "sql": self.sql,
            "dialect": self.dialect,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.errors]

    def summary(self) -> str:
        """One line per error, for error messages and LLM repair prompts."""
        return "\n".join(
            f"[{p.code}] {p.message}" + (f" Hint: {p.hint}" if p.hint else "") for p in self.errors
        )
