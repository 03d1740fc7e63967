"""How effects and p-values are printed, the same in the terminal and in reports."""

from __future__ import annotations

import math


def format_pct(value: float | None) -> str:
    """A relative effect as a signed percentage (`+2.81%`), `n/a` when undefined."""
    return "n/a" if value is None or math.isnan(value) else f"{value:+.2%}"


def format_p(value: float | None) -> str:
    """A p-value with three decimals, `<0.001` below that, `—` when there is none."""
    if value is None or math.isnan(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"
