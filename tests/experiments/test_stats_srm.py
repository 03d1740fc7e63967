"""Sample ratio mismatch: the split parser and the chi-square check."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tools.errors import ExperimentError
from tools.experiments.stats.srm import parse_traffic_split, srm_test


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("control:50,treatment:50", {"control": 0.5, "treatment": 0.5}),
        (" control : 90 , treatment:10 ", {"control": 0.9, "treatment": 0.1}),
        (
            "control:34,boost_low:33,boost_high:33",
            {"control": 0.34, "boost_low": 0.33, "boost_high": 0.33},
        ),
        ("a:1,b:3", {"a": 0.25, "b": 0.75}),
        ("control:50%,treatment:50%", {"control": 0.5, "treatment": 0.5}),
    ],
)
def test_parses_traffic_split(text: str, expected: dict[str, float]) -> None:
    assert parse_traffic_split(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "control",
        "control:50",
        "control:fifty,treatment:50",
        "control:50,control:50",
        "control:-5,treatment:105",
        ":50,treatment:50",
        "control:0,treatment:0",
    ],
)
def test_rejects_malformed_split_with_a_hint(text: str) -> None:
    with pytest.raises(ExperimentError) as info:
        parse_traffic_split(text)
    assert info.value.hint and "control:50,treatment:50" in info.value.hint


def test_known_answer_53_47_on_20k_is_flagged() -> None:
    # expected 10000 each: chi² = 600²/10000 + 600²/10000 = 72, far beyond p = 0.001
    res = srm_test(
        {"control": 10600, "treatment": 9400}, parse_traffic_split("control:50,treatment:50")
    )
    assert res.chi2 == pytest.approx(72.0)
    assert res.flagged and res.p_value < 1e-15


def test_50_2_vs_49_8_on_20k_is_not_flagged() -> None:
    # chi² = 2·40²/10000 = 0.32, p ≈ 0.57
    res = srm_test({"control": 10040, "treatment": 9960}, {"control": 0.5, "treatment": 0.5})
    assert res.chi2 == pytest.approx(0.32)
    assert not res.flagged


def test_matches_scipy_chisquare_on_uneven_three_arm_split() -> None:
    rng = np.random.default_rng(0)
    arms = rng.choice(3, size=30_000, p=[0.5, 0.3, 0.2])
    counts = dict(zip(["control", "a", "b"], np.bincount(arms).tolist(), strict=True))
    res = srm_test(counts, parse_traffic_split("control:50,a:30,b:20"))
    ref = stats.chisquare(list(counts.values()), [15_000, 9_000, 6_000])
    assert res.chi2 == pytest.approx(ref.statistic, rel=1e-9)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.df == 2


def test_a_configured_arm_with_no_units_counts_as_zero() -> None:
    res = srm_test({"control": 5000}, {"control": 0.5, "treatment": 0.5})
    assert res.observed == {"control": 5000, "treatment": 0}
    assert res.flagged


def test_units_in_an_unconfigured_arm_are_an_error() -> None:
    with pytest.raises(ExperimentError, match="rogue"):
        srm_test({"control": 10, "treatment": 10, "rogue": 3}, {"control": 1, "treatment": 1})


def test_description_names_shares_and_p_value() -> None:
    res = srm_test({"control": 10600, "treatment": 9400}, {"control": 0.5, "treatment": 0.5})
    assert "control 10600 (53.0%)" in res.describe()
    assert "configured 50%/50%" in res.describe()
