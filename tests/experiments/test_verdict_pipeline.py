"""From simulated per-user rows to a verdict: the planted demo scenarios, end to end.

Rows are generated with numpy, reduced to sufficient statistics exactly as the SQL does, and
only the statistics go through compare_arms → adjust_comparisons → srm_test → decide_verdict
(the same chain `tools.experiments.analyze` runs on warehouse rows).
"""

from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np

from tools.experiments.stats.arms import ArmStats, compare_arms
from tools.experiments.stats.srm import SrmResult, parse_traffic_split, srm_test
from tools.experiments.stats.sufficient import CupedStats, MeanStats, RatioStats
from tools.experiments.stats.verdict import (
    MetricComparison,
    Verdict,
    adjust_comparisons,
    decide_verdict,
)

N = 20_000


def _users(rng: np.random.Generator, n: int, lifts: dict[str, float]) -> dict[str, np.ndarray]:
    """Per-user activity: a stable taste (gamma) drives pre- and experiment-period counts."""
    taste = rng.gamma(2.0, 2.5, n)
    impressions = rng.poisson(taste * 20 * (1 + lifts.get("impressions", 0.0)))
    return {
        "pre_saves": rng.poisson(taste).astype(float),
        "saves": rng.poisson(taste * (1 + lifts.get("saves", 0.0))).astype(float),
        "clicks": rng.poisson(taste * 2 * (1 + lifts.get("clicks", 0.0))).astype(float),
        "impressions": impressions.astype(float),
        "hides": rng.binomial(impressions, 0.01 * (1 + lifts.get("hides", 0.0))).astype(float),
        "time_spent": rng.gamma(2.0, 30 * (1 + lifts.get("time_spent", 0.0)), n) * taste,
    }


def _stats(arms: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, ArmStats]]:
    """The sufficient statistics the warehouse would return, per metric and arm."""
    return {
        "saves_per_user": {
            a: CupedStats.from_values(u["saves"], u["pre_saves"]) for a, u in arms.items()
        },
        "clicks_per_user": {a: MeanStats.from_values(u["clicks"]) for a, u in arms.items()},
        "time_spent_per_user": {a: MeanStats.from_values(u["time_spent"]) for a, u in arms.items()},
        "hide_rate": {
            a: RatioStats.from_values(u["hides"], u["impressions"]) for a, u in arms.items()
        },
    }


class Spec(NamedTuple):
    name: str
    role: str
    higher_is_better: bool = True


class Outcome(NamedTuple):
    comparisons: list[MetricComparison]
    srm: SrmResult
    verdict: Verdict


def _run(
    seed: int,
    sizes: dict[str, int],
    lifts: dict[str, dict[str, float]],
    metrics: list[Spec],
    split: str,
) -> Outcome:
    rng = np.random.default_rng(seed)
    arms = {arm: _users(rng, n, lifts.get(arm, {})) for arm, n in sizes.items()}
    stats = _stats(arms)
    comparisons = [
        MetricComparison(spec.name, arm, spec.role, spec.higher_is_better, estimate)
        for spec in metrics
        for arm, estimate in compare_arms(stats[spec.name], "control").items()
    ]
    comparisons = adjust_comparisons(comparisons, "holm")
    srm = srm_test(sizes, parse_traffic_split(split))
    return Outcome(comparisons, srm, decide_verdict(comparisons, srm=srm))


SAVES_PRIMARY = [
    Spec("saves_per_user", "primary"),
    Spec("clicks_per_user", "secondary"),
    Spec("hide_rate", "guardrail", higher_is_better=False),
]


def test_ranker_with_more_saves_ships_and_cuped_helps() -> None:
    result = _run(
        1,
        {"control": N, "treatment": N},
        {"treatment": {"saves": 0.03}},
        SAVES_PRIMARY,
        "control:50,treatment:50",
    )
    assert result.verdict.verdict == "ship", result.verdict.reasons
    saves = next(c for c in result.comparisons if c.metric == "saves_per_user")
    assert saves.estimate.cuped and saves.estimate.variance_reduction > 0.3
    assert 0.01 < saves.estimate.rel_effect < 0.05
    payload = {
        "verdict": result.verdict.to_dict(),
        "srm": result.srm.to_dict(),
        "estimates": [c.estimate.to_dict() for c in result.comparisons],
    }
    json.dumps(payload, allow_nan=False)  # strict JSON for --json output


def test_more_clicks_with_more_hides_is_no_ship() -> None:
    metrics = [
        Spec("clicks_per_user", "primary"),
        Spec("hide_rate", "guardrail", higher_is_better=False),
    ]
    result = _run(
        2,
        {"control": N, "treatment": N},
        {"treatment": {"clicks": 0.04, "hides": 0.10}},
        metrics,
        "control:50,treatment:50",
    )
    assert result.verdict.verdict == "no_ship"
    assert result.verdict.reasons[0].startswith("guardrail regressed: hide_rate +")


def test_53_47_delivery_is_invalid() -> None:
    result = _run(
        3,
        {"control": 10_600, "treatment": 9_400},
        {"treatment": {"saves": 0.03}},
        SAVES_PRIMARY,
        "control:50,treatment:50",
    )
    assert result.verdict.verdict == "invalid"
    assert result.srm is not None and result.srm.flagged


def test_no_effect_is_inconclusive_with_its_mde() -> None:
    result = _run(4, {"control": N, "treatment": N}, {}, SAVES_PRIMARY, "control:50,treatment:50")
    assert result.verdict.verdict == "inconclusive"
    assert 0 < result.verdict.mde["treatment"] < 0.05


def test_three_arms_with_time_up_and_saves_down_is_a_tradeoff() -> None:
    metrics = [
        Spec("time_spent_per_user", "primary"),
        Spec("saves_per_user", "secondary"),
    ]
    result = _run(
        5,
        {"control": 20_400, "boost_low": 19_800, "boost_high": 19_800},
        {"boost_high": {"time_spent": 0.05, "saves": -0.03}},
        metrics,
        "control:34,boost_low:33,boost_high:33",
    )
    assert result.verdict.verdict == "tradeoff", result.verdict.reasons
    assert result.verdict.winning_arms == ("boost_high",)
    assert {c.arm for c in result.comparisons} == {"boost_low", "boost_high"}
