"""What the planner needs besides the catalog and the question (dates, values read from data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PlannerContext:
    """What the planner needs besides the catalog: the reference day for relative dates, the
    data's date bounds (a default period for partitioned tables), and string values read from
    the warehouse for columns the catalog does not enumerate."""

    today: date
    data_start: date | None = None
    data_end: date | None = None
    known_values: Mapping[tuple[str, str], Sequence[str]] = field(default_factory=dict)
    # The calendar day, when relative dates were anchored on the data instead (data ends
    # before it); None when `today` is the calendar day.
    calendar_today: date | None = None
