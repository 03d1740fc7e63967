"""Result rows bounded by count and by size: huge cells are cut and the cut is recorded.

Pure: the caller passes `fetchmany`; this module decides what to keep. Sizes are estimates of
what the rows cost once they are Python objects and JSON (characters of text, bytes of blobs,
8 per number), good enough to stop `list(u)` over 80,000 users from arriving as one row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

BATCH_ROWS = 1_000
TRUNCATION_MARK = "…[truncated]"


@dataclass(frozen=True)
class ResultBounds:
    row_cap: int
    max_bytes: int = 16 * 1024 * 1024
    max_cell_bytes: int = 64 * 1024


@dataclass
class BoundedRows:
    rows: list[list[Any]] = field(default_factory=list)
    truncated: bool = False  # rows were left out (row cap or byte cap)
    byte_capped: bool = False
    cells_cut: int = 0
    notes: list[str] = field(default_factory=list)


def fetch_bounded(
    fetchmany: Callable[[int], Sequence[Sequence[Any]]], bounds: ResultBounds
) -> BoundedRows:
    """At most `row_cap` rows and about `max_bytes`; fetching one more tells if rows were cut."""
    out = BoundedRows()
    used = 0
    while True:
        want = min(BATCH_ROWS, bounds.row_cap + 1 - len(out.rows))
        batch = fetchmany(want)
        if not batch:
            return out
        for raw in batch:
            if len(out.rows) >= bounds.row_cap:
                out.truncated = True
                return out
            row = []
            for value in raw:
                kept, size, cut = bound_value(value, bounds.max_cell_bytes)
                out.cells_cut += cut
                used += size
                row.append(kept)
            if used > bounds.max_bytes and out.rows:
                out.truncated = out.byte_capped = True
                return out
            out.rows.append(row)
        if len(batch) < want:
            return out


def bound_value(value: Any, budget: int) -> tuple[Any, int, int]:
    """(value cut to about `budget` bytes, its estimated size, 1 if it was cut else 0)."""
    if isinstance(value, str):
        if len(value) > budget:
            return value[:budget] + TRUNCATION_MARK, budget, 1
        return value, len(value), 0
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if len(data) > budget:
            return data[:budget], budget, 1
        return data, len(data), 0
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        used = 0
        cut = 0
        for item in value:
            if used >= budget:
                cut = 1
                break
            kept, size, inner = bound_value(item, budget - used)
            items.append(kept)
            used += size + 1
            cut |= inner
        return items, used, cut
    if isinstance(value, dict):
        kept_map: dict[Any, Any] = {}
        used = 0
        cut = 0
        for key, item in value.items():
            if used >= budget:
                cut = 1
                break
            kept, size, inner = bound_value(item, budget - used)
            kept_map[key] = kept
            used += size + len(str(key)) + 2
            cut |= inner
        return kept_map, used, cut
    return value, 8, 0
