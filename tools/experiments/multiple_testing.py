"""Adjusting p-values when many metrics (and arms) are tested at once."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tools.errors import ExperimentError

# Our names -> statsmodels' names.
METHODS = {"holm": "holm", "bh": "fdr_bh", "none": None}


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values in input order: "holm" (family-wise error, Holm–Bonferroni), "bh"
    (false discovery rate, Benjamini–Hochberg) or "none".

    NaN p-values (untestable comparisons) stay NaN and do not count in the family.
    """
    if method not in METHODS:
        raise ExperimentError(
            f"Unknown p-value adjustment {method!r}", hint=f"Use one of: {', '.join(METHODS)}."
        )
    sm_method = METHODS[method]
    values = [float(p) for p in pvalues]
    finite = [i for i, p in enumerate(values) if not math.isnan(p)]
    if sm_method is None or not finite:
        return values
    # statsmodels imports slowly (~1 s); load it only when something is adjusted.
    from statsmodels.stats.multitest import multipletests

    adjusted = multipletests([values[i] for i in finite], method=sm_method)[1]
    out = list(values)
    for i, p in zip(finite, adjusted, strict=True):
        out[i] = float(p)
    return out
