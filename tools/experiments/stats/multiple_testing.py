"""Adjusting p-values when many metrics (and arms) are tested at once."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tools.errors import ExperimentError

METHODS = ("holm", "bh", "none")


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values in input order: "holm" (family-wise error, Holm–Bonferroni), "bh"
    (false discovery rate, Benjamini–Hochberg) or "none".

    NaN p-values (untestable comparisons) stay NaN and do not count in the family. The
    arithmetic is statsmodels' `multipletests` (tests check they agree to 1e-12), written out
    because importing statsmodels costs more than a whole analysis.
    """
    if method not in METHODS:
        raise ExperimentError(
            f"Unknown p-value adjustment {method!r}", hint=f"Use one of: {', '.join(METHODS)}."
        )
    values = [float(p) for p in pvalues]
    finite = [i for i, p in enumerate(values) if not math.isnan(p)]
    if method == "none" or not finite:
        return values
    order = sorted(finite, key=lambda i: values[i])  # ascending p; ties keep any order
    m = len(order)
    adjusted = [0.0] * m
    if method == "holm":
        # The k-th smallest (0-based) times m - k, made non-decreasing from the smallest up.
        running = 0.0
        for k, i in enumerate(order):
            running = max(running, values[i] * (m - k))
            adjusted[k] = running
    else:
        # The k-th smallest times m / (k + 1), made non-increasing from the largest down.
        running = math.inf
        for k in range(m - 1, -1, -1):
            running = min(running, values[order[k]] / ((k + 1) / m))
            adjusted[k] = running
    out = list(values)
    for k, i in enumerate(order):
        out[i] = min(adjusted[k], 1.0)
    return out
