"""Analysing one experiment: `collect` (warehouse → sums) then `compute` (sums → analysis).

Raw rows never leave the warehouse: every number comes from per-arm sums, which the result
cache (`result_cache`, when a cache folder is given) keeps, with the experiment's metadata
row, while the warehouse file is unchanged: a repeat run need not open it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tools.catalog.model import Catalog
from tools.experiments.collect import DEFAULT_CAP_LEVEL, collect_sums, scoped_window
from tools.experiments.compute import compute_analysis
from tools.experiments.results import ExperimentAnalysis

if TYPE_CHECKING:
    from tools.warehouse.connection import Warehouse

__all__ = ["analyze_experiment", "scoped_window"]


def analyze_experiment(
    catalog: Catalog,
    warehouse: Warehouse,
    experiment_id: str,
    *,
    cuped: bool = True,
    segments: Sequence[str] = (),
    alpha: float = 0.05,
    correction: str = "holm",
    cache_dir: Path | None = None,
    cap: bool = True,
    cap_level: float = DEFAULT_CAP_LEVEL,
) -> ExperimentAnalysis:
    """Everything `lablens experiment summarize` shows; `ExperimentError` on bad input.

    With `cache_dir`, statistics results are cached there per experiment and reused while
    the warehouse file is unchanged (`result_cache`); the analysis is the same either way.
    `cap` winsorises mean metrics at the `cap_level` percentile of the pooled per-unit
    values (see `collect.DEFAULT_CAP_LEVEL`); the caps are in `ExperimentAnalysis.caps`.
    """
    collected = collect_sums(
        catalog,
        warehouse,
        experiment_id,
        cuped=cuped,
        segments=segments,
        cache_dir=cache_dir,
        cap=cap,
        cap_level=cap_level,
    )
    return compute_analysis(collected, alpha=alpha, correction=correction, cuped_requested=cuped)
