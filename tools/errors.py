"""The one error tree of lablens: every error meant for a user has a title and a hint.

The CLI prints a `LablensError` as one clean message and exits 2; anything else is a bug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.sql.problems import Problem


class LablensError(Exception):
    """An error a user can act on: a short title, a detail message and an optional hint."""

    title = "lablens error"

    def __init__(self, message: str, *, hint: str | None = None, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if title is not None:
            self.title = title

    def to_dict(self) -> dict[str, str | None]:
        return {"error": self.title, "message": self.message, "hint": self.hint}


class ConfigError(LablensError):
    title = "Invalid configuration"


class WorkspaceError(LablensError):
    title = "Workspace problem"


class CatalogError(LablensError):
    title = "Invalid catalog"


class WarehouseError(LablensError):
    title = "Warehouse error"


class SqlRejected(LablensError):
    """The validator refused a statement; `problems` holds the structured report."""

    title = "SQL rejected"

    def __init__(
        self, message: str, *, problems: list[Problem] | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems or []


class QueryError(LablensError):
    title = "Query failed"


class IndexingError(LablensError):
    title = "Index problem"


class ExperimentError(LablensError):
    title = "Experiment analysis problem"


class PlanningError(LablensError):
    title = "Cannot map the question"


class LLMError(LablensError):
    title = "Language model problem"


class InputError(LablensError):
    title = "Invalid input"
