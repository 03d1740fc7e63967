"""Under no effect the Welch test rejects about 5 % of the time, and intervals cover."""

from __future__ import annotations

import numpy as np
from scipy import stats

from tools.experiments.stats.sufficient import MeanStats
from tools.experiments.stats.welch import compare_means


def test_aa_false_positive_rate_and_relative_interval_coverage() -> None:
    rng = np.random.default_rng(404)
    sims, n = 400, 500
    data = rng.gamma(1.5, 4.0, (sims, 2, n))  # skewed per-user values, identical arms
    sums, squares = data.sum(2), (data**2).sum(2)
    rejections = covered = 0
    for s in range(sims):
        est = compare_means(
            MeanStats(n, sums[s, 0], squares[s, 0]), MeanStats(n, sums[s, 1], squares[s, 1])
        )
        rejections += est.p_value < 0.05
        covered += est.rel_ci_low <= 0.0 <= est.rel_ci_high
    # 99.9 % binomial interval for 400 draws at 5 %: (7, 36); at 95 %: (364, 393)
    low, high = stats.binom.interval(0.999, sims, 0.05)
    assert low <= rejections <= high
    low, high = stats.binom.interval(0.999, sims, 0.95)
    assert low <= covered <= high
