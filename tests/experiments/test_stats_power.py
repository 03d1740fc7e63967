"""Minimum detectable effect, and that a true effect of that size is found 80 % of the time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tools.experiments.stats.power import minimum_detectable_effect
from tools.experiments.stats.sufficient import MeanStats
from tools.experiments.stats.welch import compare_means


def test_known_answer_by_hand() -> None:
    # z(0.975) + z(0.8) = 1.959964 + 0.841621 = 2.801585
    # se = sqrt(4 · (1/1000 + 1/1000)) = 0.0894427; MDE = 2.801585 · 0.0894427 / 10 = 0.0250582
    assert minimum_detectable_effect(10.0, 4.0, 1000, 1000) == pytest.approx(0.0250582, rel=1e-5)


def test_estimate_reports_mde_from_control_mean_and_pooled_variance() -> None:
    rng = np.random.default_rng(12)
    c, t = rng.normal(20, 6, 900), rng.normal(20, 7, 1100)
    est = compare_means(MeanStats.from_values(c), MeanStats.from_values(t))
    pooled = ((899 * c.var(ddof=1)) + 1099 * t.var(ddof=1)) / 1998
    expected = 2.8015852 * math.sqrt(pooled * (1 / 900 + 1 / 1100)) / c.mean()
    assert est.mde == pytest.approx(expected, rel=1e-6)


def test_an_effect_the_size_of_the_mde_is_detected_with_power_080() -> None:
    rng = np.random.default_rng(99)
    sims, n, mean, sd = 400, 1000, 10.0, 4.0
    lift = minimum_detectable_effect(mean, sd**2, n, n)
    data = rng.normal(mean, sd, (sims, 2, n))
    data[:, 1] += lift * mean
    sums, squares = data.sum(2), (data**2).sum(2)
    detected = sum(
        compare_means(
            MeanStats(n, sums[s, 0], squares[s, 0]), MeanStats(n, sums[s, 1], squares[s, 1])
        ).p_value
        < 0.05
        for s in range(sims)
    )
    low, high = stats.binom.interval(0.999, sims, 0.8)
    assert low <= detected <= high
