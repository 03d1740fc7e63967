"""The status line: workspace, warehouse, model (or "offline"), index size, activity."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.markup import escape
from textual.widgets import Static


@dataclass(frozen=True)
class Status:
    workspace: str = "…"
    warehouse: str = "…"
    model: str = "…"
    index: str = "…"
    activity: str = "starting"

    def markup(self) -> str:
        return " │ ".join(
            [
                f"[b]{escape(self.workspace)}[/]",
                f"warehouse {escape(self.warehouse)}",
                f"model {escape(self.model)}",
                f"index {escape(self.index)}",
                escape(self.activity),
            ]
        )


class StatusBar(Static):
    DEFAULT_CSS = "StatusBar { height: 1; dock: bottom; background: $panel; padding: 0 1; }"

    def __init__(self) -> None:
        super().__init__(Status().markup())
        self.status = Status()

    def set(self, **changes: str) -> None:
        self.status = replace(self.status, **changes)
        self.update(self.status.markup())
