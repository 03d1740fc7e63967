"""Verdict rules, one row per rule and per precedence between rules."""

from __future__ import annotations

import json
import math
import statistics
from typing import NamedTuple

import pytest

from tools.errors import ExperimentError
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.srm import srm_test
from tools.experiments.stats.verdict import (
    MetricComparison,
    adjust_comparisons,
    decide_verdict,
    describe_comparison,
)


def _estimate(
    rel: float,
    p: float,
    *,
    half_width: float | None = None,
    mde: float = 0.02,
    control_mean: float = 10.0,
) -> EffectEstimate:
    """An estimate with relative effect `rel` and p-value `p`; its interval ±`half_width`,
    by default the one that p implies (so interval and p agree, as in a real estimate)."""
    if half_width is None:
        z = statistics.NormalDist().inv_cdf(1 - p / 2) if 0 < p < 1 else 0.0
        half_width = 1.96 * abs(rel) / z if rel and z > 0 else 0.02
    return EffectEstimate(
        method="welch",
        control_n=10_000,
        treatment_n=10_000,
        control_mean=control_mean,
        treatment_mean=control_mean * (1 + rel),
        abs_effect=control_mean * rel,
        abs_ci_low=control_mean * (rel - half_width),
        abs_ci_high=control_mean * (rel + half_width),
        rel_effect=rel,
        rel_ci_low=rel - half_width,
        rel_ci_high=rel + half_width,
        se=control_mean * half_width / 1.96,
        rel_se=half_width / 1.96,
        statistic=rel / 0.01,
        df=19_998.0,
        p_value=p,
        alpha=0.05,
        mde=mde,
    )


class M(NamedTuple):
    """Shorthand for a table row's metric: name, arm, role, higher_is_better, rel, p."""

    metric: str
    arm: str
    role: str
    hib: bool
    rel: float
    p: float

    def comparison(self) -> MetricComparison:
        return MetricComparison(
            self.metric, self.arm, self.role, self.hib, _estimate(self.rel, self.p)
        )


T, C = "treatment", "control"
BALANCED = {"control": 10_000, "treatment": 10_010}
SKEWED = {"control": 10_600, "treatment": 9_400}

CASES = [
    # (id, metrics, srm counts, verdict, winning arms, reason fragments)
    (
        "primary_up_ship",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("hides", T, "guardrail", False, 0.001, 0.8),
        ],
        BALANCED,
        "ship",
        (T,),
        ["primary improved: saves +3.0%", "no guardrail regressed (hides)"],
    ),
    (
        "srm_invalid",
        [M("saves", T, "primary", True, 0.03, 0.001)],
        SKEWED,
        "invalid",
        (),
        ["sample ratio mismatch", "control 10600 (53.0%)"],
    ),
    (
        "srm_beats_guardrail",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("hides", T, "guardrail", False, 0.10, 1e-9),
        ],
        SKEWED,
        "invalid",
        (),
        ["sample ratio mismatch"],
    ),
    (
        "guardrail_up_is_bad",
        [
            M("clicks", T, "primary", True, 0.04, 1e-6),
            M("hide_rate", T, "guardrail", False, 0.10, 1e-8),
        ],
        BALANCED,
        "no_ship",
        (),
        ["guardrail regressed: hide_rate +10.0%"],
    ),
    (
        "guardrail_down_is_bad",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("time_spent", T, "guardrail", True, -0.02, 0.01),
        ],
        BALANCED,
        "no_ship",
        (),
        ["guardrail regressed: time_spent -2.0%"],
    ),
    (
        "guardrail_beats_tradeoff",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("clicks", T, "secondary", True, -0.03, 0.001),
            M("hides", T, "guardrail", False, 0.05, 0.001),
        ],
        BALANCED,
        "no_ship",
        (),
        ["guardrail regressed: hides"],
    ),
    (
        "guardrail_improves_still_ship",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("hides", T, "guardrail", False, -0.05, 0.001),
        ],
        BALANCED,
        "ship",
        (T,),
        ["primary improved: saves"],
    ),
    (
        "guardrail_noise_ignored",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("hides", T, "guardrail", False, 0.005, 0.20),
        ],
        BALANCED,
        "ship",
        (T,),
        ["primary improved"],
    ),
    (
        "primary_up_secondary_down",
        [
            M("saves", T, "primary", True, 0.03, 0.001),
            M("clicks", T, "secondary", True, -0.02, 0.004),
        ],
        BALANCED,
        "tradeoff",
        (T,),
        ["primary improved: saves +3.0%", "secondary regressed: clicks -2.0%"],
    ),
    (
        "primary_down_secondary_up",
        [
            M("time_spent", T, "primary", True, -0.02, 0.001),
            M("saves", T, "secondary", True, 0.04, 0.001),
        ],
        BALANCED,
        "tradeoff",
        (),
        ["secondary improved: saves", "primary regressed: time_spent"],
    ),
    (
        "arms_disagree",
        [
            M("saves", "a", "primary", True, 0.03, 0.001),
            M("saves", "b", "primary", True, -0.03, 0.001),
        ],
        {"control": 10_000, "a": 10_000, "b": 10_000},
        "tradeoff",
        ("a",),
        ["primary improved: saves +3.0%", "in a", "primary regressed: saves -3.0%"],
    ),
    (
        "video_boost_3arm",
        [
            M("time_spent", "boost_low", "primary", True, 0.001, 0.7),
            M("time_spent", "boost_high", "primary", True, 0.05, 1e-6),
            M("saves", "boost_low", "secondary", True, 0.0, 0.9),
            M("saves", "boost_high", "secondary", True, -0.03, 1e-4),
        ],
        {"control": 10_000, "boost_low": 10_000, "boost_high": 10_000},
        "tradeoff",
        ("boost_high",),
        ["primary improved: time_spent +5.0%", "secondary regressed: saves -3.0%"],
    ),
    (
        "primary_regresses_alone",
        [M("saves", T, "primary", True, -0.03, 0.001)],
        BALANCED,
        "no_ship",
        (),
        ["primary regressed: saves -3.0%"],
    ),
    (
        "primary_and_secondary_regress",
        [
            M("saves", T, "primary", True, -0.03, 0.001),
            M("clicks", T, "secondary", True, -0.02, 0.01),
        ],
        BALANCED,
        "no_ship",
        (),
        ["primary regressed: saves -3.0%", "secondary regressed: clicks -2.0%"],
    ),
    (
        "lower_is_better_primary",
        [M("latency_ms", T, "primary", False, -0.05, 0.001)],
        BALANCED,
        "ship",
        (T,),
        ["primary improved: latency_ms -5.0%"],
    ),
    (
        "nothing_moves",
        [M("saves", T, "primary", True, 0.004, 0.52), M("hides", T, "guardrail", False, 0.0, 0.99)],
        BALANCED,
        "inconclusive",
        (),
        [
            "primary not significant: saves +0.4%",
            "minimum detectable effect for saves",
            "±2.0% in treatment",
        ],
    ),
    (
        "secondary_only_moves",
        [
            M("saves", T, "primary", True, 0.004, 0.52),
            M("clicks", T, "secondary", True, 0.05, 0.001),
        ],
        BALANCED,
        "inconclusive",
        (),
        ["secondary improved: clicks +5.0%"],
    ),
    (
        "secondary_only_regresses",
        [
            M("saves", T, "primary", True, 0.004, 0.52),
            M("clicks", T, "secondary", True, -0.05, 0.001),
        ],
        BALANCED,
        "inconclusive",
        (),
        ["secondary regressed: clicks -5.0%"],
    ),
    (
        "untestable_primary",
        [M("saves", T, "primary", True, 0.01, math.nan)],
        BALANCED,
        "inconclusive",
        (),
        ["p=n/a"],
    ),
]


@pytest.mark.parametrize(
    ("metrics", "counts", "expected", "winners", "fragments"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_verdict_rules(
    metrics: list[M],
    counts: dict[str, int],
    expected: str,
    winners: tuple[str, ...],
    fragments: list[str],
) -> None:
    srm = srm_test(counts, {arm: 1.0 for arm in counts})
    verdict = decide_verdict([m.comparison() for m in metrics], srm=srm)
    assert verdict.verdict == expected
    assert verdict.winning_arms == winners
    text = "\n".join(verdict.reasons)
    for fragment in fragments:
        assert fragment in text


def test_secondaries_are_their_own_family_and_do_not_dilute_the_primary() -> None:
    # the primary (one arm) is tested at alpha; Holm over the two secondaries makes the
    # smaller one 0.06: no longer significant, and the primary still ships
    rows = [
        M("saves", T, "primary", True, 0.03, 0.02),
        M("clicks", T, "secondary", True, 0.01, 0.03),
        M("closeups", T, "secondary", True, 0.0, 0.5),
    ]
    adjusted = adjust_comparisons([r.comparison() for r in rows], "holm")
    assert [c.adjusted_p_value for c in adjusted] == pytest.approx([0.02, 0.06, 0.5])
    assert not adjusted[1].is_significant(0.05)
    assert decide_verdict(adjusted).verdict == "ship"


def test_primaries_of_several_arms_form_their_own_family() -> None:
    rows = [
        M("saves", "a", "primary", True, 0.03, 0.02),
        M("saves", "b", "primary", True, 0.01, 0.04),
    ]
    adjusted = adjust_comparisons([r.comparison() for r in rows], "holm")
    assert [c.adjusted_p_value for c in adjusted] == pytest.approx([0.04, 0.04])


def test_guardrails_are_non_inferiority_tests_adjusted_among_guardrails() -> None:
    rows = [
        M("saves", T, "primary", True, 0.03, 0.001),
        M("clicks", T, "secondary", True, 0.01, 0.3),
        M("hides", T, "guardrail", False, 0.02, 0.04),
    ]
    adjusted = adjust_comparisons([r.comparison() for r in rows], "bh")
    assert adjusted[2].adjusted_p_value == pytest.approx(0.04)  # a family of one
    assert adjusted[2].margin == 0.02 and adjusted[2].ni_adjusted_p is not None
    assert not adjusted[2].non_inferior(0.05)  # +2 % harm cannot be shown below 2 %
    assert decide_verdict(adjusted).verdict == "no_ship"


def test_a_significant_harm_within_the_margin_does_not_veto() -> None:
    rows = [
        M("saves", T, "primary", True, 0.03, 0.001),
        M("hides", T, "guardrail", False, 0.002, 0.04),  # +0.2 %, CI within ±0.4 %
    ]
    adjusted = adjust_comparisons([r.comparison() for r in rows], "holm")
    assert adjusted[1].is_significant(0.05) and adjusted[1].non_inferior(0.05)
    assert decide_verdict(adjusted).verdict == "ship"


def test_an_unproven_guardrail_blocks_a_ship_without_vetoing_it() -> None:
    rows = [
        M("saves", T, "primary", True, 0.03, 0.001),
        M("hides", T, "guardrail", False, 0.01, 0.5),  # flat but too noisy to clear 2 %
    ]
    verdict = decide_verdict(adjust_comparisons([r.comparison() for r in rows], "holm"))
    assert verdict.verdict == "inconclusive"
    assert any("guardrail unproven: hides" in r and "margin" in r for r in verdict.reasons)


def test_reason_reads_like_a_report_line() -> None:
    c = MetricComparison(
        "saves_per_user",
        "treatment",
        "primary",
        True,
        _estimate(0.031, 0.001, half_width=0.019),
        adjusted_p_value=0.003,
    )
    # the interval printed beside an adjusted p is at the level the adjustment implies
    assert describe_comparison(c) == (
        "saves_per_user +3.1% [+0.8%, +5.4%] (adjusted interval), p=0.001 (adjusted 0.003) "
        "in treatment"
    )


def test_zero_control_mean_is_described_in_absolute_terms() -> None:
    e = EffectEstimate(
        "welch",
        10,
        10,
        0.0,
        0.5,
        0.5,
        0.1,
        0.9,
        math.nan,
        math.nan,
        math.nan,
        0.2,
        math.nan,
        2.5,
        18.0,
        0.02,
        0.05,
        math.nan,
    )
    text = describe_comparison(MetricComparison("net", T, "primary", True, e))
    assert text == "net +0.5 [+0.1, +0.9] (absolute), p=0.02 in treatment"


def test_verdict_serialises_to_json() -> None:
    v = decide_verdict([M("saves", T, "primary", True, 0.03, 0.001).comparison()])
    data = json.loads(json.dumps(v.to_dict()))
    assert data["verdict"] == "ship" and data["mde"] == {"treatment": 0.02}
    assert data["primary_metric"] == "saves"


@pytest.mark.parametrize(
    "rows",
    [
        [M("clicks", T, "secondary", True, 0.03, 0.001)],
        [M("saves", T, "primary", True, 0.03, 0.001), M("clicks", T, "primary", True, 0.0, 0.9)],
    ],
    ids=["no_primary", "two_primaries"],
)
def test_exactly_one_primary_metric_is_required(rows: list[M]) -> None:
    with pytest.raises(ExperimentError, match="exactly one primary"):
        decide_verdict([r.comparison() for r in rows])


def test_unknown_role_is_rejected() -> None:
    with pytest.raises(ExperimentError, match="role"):
        M("saves", T, "north_star", True, 0.0, 0.5).comparison()
