"""How effects, p-values and values are printed, the same in the terminal and in reports."""

from __future__ import annotations

import math


def format_pct(value: float | None) -> str:
    """A relative effect as a signed percentage (`+2.8%`, `-0.05%`), `n/a` when undefined."""
    if value is None or math.isnan(value):
        return "n/a"
    digits = 2 if abs(value) < 0.01 else 1
    return f"{value:+.{digits}%}"


def format_p(value: float | None) -> str:
    """A p-value with three decimals, `<0.001` below that, `—` when there is none."""
    if value is None or math.isnan(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_number(value: float | None, *, signed: bool = False) -> str:
    """A value for people: 4 significant digits, thousands separators, no exponent below 1e15
    (`0.0235`, `12.35`, `1,234`, `1,234,568`)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = "+" if signed and value > 0 else ""
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e15:
        return f"{sign}{value:.4g}"
    if magnitude >= 1000:
        return f"{sign}{value:,.0f}"
    decimals = max(0, 3 - math.floor(math.log10(magnitude)))
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return sign + text
