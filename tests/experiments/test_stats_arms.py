"""Multi-arm experiments: each treatment against control, one CUPED θ across all arms."""

from __future__ import annotations

import numpy as np
import pytest

from tools.errors import ExperimentError
from tools.experiments.stats.arms import compare_arms
from tools.experiments.stats.sufficient import CupedStats, MeanStats, RatioStats
from tools.experiments.stats.welch import compare_means


def test_every_treatment_is_compared_with_control() -> None:
    rng = np.random.default_rng(1)
    arms = {
        name: MeanStats.from_values(rng.normal(mu, 1, 400))
        for name, mu in (("control", 5.0), ("boost_low", 5.0), ("boost_high", 5.3))
    }
    out = compare_arms(arms, "control")
    assert sorted(out) == ["boost_high", "boost_low"]
    assert out["boost_high"].p_value == compare_means(arms["control"], arms["boost_high"]).p_value


def test_cuped_uses_one_theta_pooled_over_all_arms_like_ancova() -> None:
    rng = np.random.default_rng(2)
    rows = {}
    for name, effect in (("control", 0.0), ("a", 0.2), ("b", -0.1)):
        pre = rng.normal(10, 3, 500)
        rows[name] = (0.7 * pre + rng.normal(0, 1, 500) + effect, pre)
    out = compare_arms({k: CupedStats.from_values(*v) for k, v in rows.items()}, "control")
    y = np.concatenate([rows[k][0] for k in ("control", "a", "b")])
    x = np.concatenate([rows[k][1] for k in ("control", "a", "b")])
    arm = np.repeat([0, 1, 2], 500)
    design = np.column_stack([np.ones(1500), arm == 1, arm == 2, x]).astype(float)
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    assert out["a"].abs_effect == pytest.approx(coef[1], rel=1e-6)
    assert out["b"].abs_effect == pytest.approx(coef[2], rel=1e-6)
    assert out["a"].theta == out["b"].theta == pytest.approx(coef[3], rel=1e-6)


def test_missing_control_or_mixed_kinds_are_clear_errors() -> None:
    m = MeanStats(10, 10.0, 20.0)
    with pytest.raises(ExperimentError, match="control"):
        compare_arms({"a": m, "b": m}, "control")
    with pytest.raises(ExperimentError, match="same kind"):
        compare_arms({"control": m, "b": RatioStats(10, 1, 10, 1, 10, 1)}, "control")
