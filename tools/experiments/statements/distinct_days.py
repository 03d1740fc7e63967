"""COUNT(DISTINCT <date column>) as an exact bitmask count (DuckDB)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from tools.experiments.statements.quoting import literal

# Bits of one bit_or mask in the distinct-days rewrite (UBIGINT).
MASK_DAYS = 64


def distinct_days(dt: str, lo: date, hi: date, dialect: str) -> str:
    """COUNT(DISTINCT dt) for dates in [lo, hi], as popcounts of per-64-day bitmasks."""
    days = (hi - lo).days + 1
    lit = partial(literal, dialect=dialect)
    parts = []
    for first in range(0, max(days, 1), MASK_DAYS):
        offset = f"{dt} - {lit(lo + timedelta(days=first))}"
        bit = f"CAST(1 AS UBIGINT) << CAST({offset} AS UBIGINT)"
        if days > MASK_DAYS:  # several masks: each takes its own 64 days
            bit = f"CASE WHEN {offset} BETWEEN 0 AND {MASK_DAYS - 1} THEN {bit} END"
        parts.append(f"COALESCE(BIT_COUNT(BIT_OR({bit})), 0)")
    return " + ".join(parts)
