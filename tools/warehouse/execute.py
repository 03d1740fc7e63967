"""What a query returns (`QueryResult`), and the deadline the SQLAlchemy adapter runs under.

The deadline really interrupts (a timer thread calls the driver's cancel), so a runaway query
stops instead of only being abandoned; the DuckDB adapter kills its worker process instead.
Row and byte caps live in `results.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.errors import QueryError


@dataclass
class QueryResult:
    """Rows of one query. `truncated`: rows were left out (row cap or `byte_capped`);
    `cells_cut`: cells cut to the per-cell size bound; `notes`: anything else that shaped
    the rows (e.g. values sent as text because Python has no equivalent)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float
    sql: str = ""
    byte_capped: bool = False
    cells_cut: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "columns": self.columns,
            "rows": self.rows,
            "row_count": self.row_count,
            "truncated": self.truncated,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
        if self.byte_capped or self.cells_cut or self.notes:
            data.update(byte_capped=self.byte_capped, cells_cut=self.cells_cut, notes=self.notes)
        return data


class Deadline:
    """Calls `cancel` from a timer thread if the block runs past `timeout_s`."""

    def __init__(self, timeout_s: float | None, cancel: Callable[[], Any]) -> None:
        self.timeout_s = timeout_s
        self._cancel = cancel
        self.fired = threading.Event()
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        self.fired.set()
        self._cancel()

    def __enter__(self) -> Deadline:
        if self.timeout_s is not None and self.timeout_s > 0:
            self._timer = threading.Timer(self.timeout_s, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()


def timeout_error(timeout_s: float | None) -> QueryError:
    return QueryError(
        f"The query ran longer than {timeout_s:g} s and was stopped.",
        hint="Filter more (a shorter date range, fewer groups) or raise "
        "`[warehouse] timeout_s` in lablens.toml.",
    )


def elapsed_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0
