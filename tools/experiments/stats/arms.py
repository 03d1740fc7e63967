"""Multi-arm experiments: every treatment arm against the control arm."""

from __future__ import annotations

from collections.abc import Mapping

from tools.errors import ExperimentError
from tools.experiments.stats.cuped import compare_cuped, compare_cuped_ratios, pooled_theta
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.ratio import compare_ratios
from tools.experiments.stats.sufficient import CupedRatioStats, CupedStats, MeanStats, RatioStats
from tools.experiments.stats.welch import compare_means

ArmStats = MeanStats | RatioStats | CupedStats | CupedRatioStats


def compare_arms(
    stats_by_arm: Mapping[str, ArmStats], control: str = "control", *, alpha: float = 0.05
) -> dict[str, EffectEstimate]:
    """Compare each non-control arm with `control`, choosing the method from the stats type.

    MeanStats → Welch; RatioStats → delta method; CupedStats / CupedRatioStats → CUPED with one
    θ pooled within *all* arms. p-values are unadjusted (see `verdict.adjust_comparisons`).
    """
    if control not in stats_by_arm:
        raise ExperimentError(
            f"No control arm {control!r} among arms {sorted(stats_by_arm)}",
            hint="Set the catalog's experiments.control_variant.",
        )
    kinds = {type(s) for s in stats_by_arm.values()}
    if len(kinds) != 1:
        raise ExperimentError(
            "All arms of one metric need the same kind of statistics, got "
            f"{sorted(k.__name__ for k in kinds)}"
        )
    ctrl = stats_by_arm[control]
    out: dict[str, EffectEstimate] = {}
    theta = None
    if isinstance(ctrl, CupedStats | CupedRatioStats):
        theta = pooled_theta(list(stats_by_arm.values()))  # type: ignore[arg-type]
    for arm, st in stats_by_arm.items():
        if arm == control:
            continue
        if isinstance(ctrl, CupedStats) and isinstance(st, CupedStats):
            out[arm] = compare_cuped(ctrl, st, alpha=alpha, theta=theta)
        elif isinstance(ctrl, CupedRatioStats) and isinstance(st, CupedRatioStats):
            out[arm] = compare_cuped_ratios(ctrl, st, alpha=alpha, theta=theta)
        elif isinstance(ctrl, RatioStats) and isinstance(st, RatioStats):
            out[arm] = compare_ratios(ctrl, st, alpha=alpha)
        elif isinstance(ctrl, MeanStats) and isinstance(st, MeanStats):
            out[arm] = compare_means(ctrl, st, alpha=alpha)
    return out
