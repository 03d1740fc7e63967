"""Figures for the experiment statistics core: latency, A/A false positives, CI coverage, power,
CUPED bias and variance reduction. Usage:
    .venv/bin/python bench/bench_experiment_stats.py
"""

import time

import numpy as np

from tools.experiments.stats.cuped import compare_cuped
from tools.experiments.stats.power import minimum_detectable_effect
from tools.experiments.stats.sufficient import CupedStats, MeanStats
from tools.experiments.stats.welch import compare_means

# per-call latency
c, t = MeanStats(10_000, 50_000.0, 400_000.0), MeanStats(10_000, 51_000.0, 410_000.0)
cc = CupedStats(10_000, 5e4, 4e5, 5e4, 4e5, 3.5e5)
ct = CupedStats(10_000, 5.1e4, 4.1e5, 5e4, 4e5, 3.6e5)
for name, fn in (
    ("compare_means", lambda: compare_means(c, t)),
    ("compare_cuped", lambda: compare_cuped(cc, ct)),
):
    fn()
    k = 2000
    t0 = time.perf_counter()
    for _ in range(k):
        fn()
    print(f"{name}: {(time.perf_counter() - t0) / k * 1e6:.0f} µs per call")

# A/A false-positive rate and relative-CI coverage (same setup as the test, seed 404)
rng = np.random.default_rng(404)
data = rng.gamma(1.5, 4.0, (400, 2, 500))
s, q = data.sum(2), (data**2).sum(2)
ests = [
    compare_means(MeanStats(500, s[i, 0], q[i, 0]), MeanStats(500, s[i, 1], q[i, 1]))
    for i in range(400)
]
print("A/A rejections at 0.05:", sum(e.p_value < 0.05 for e in ests), "/ 400")
print("A/A rel-CI coverage:", sum(e.rel_ci_low <= 0 <= e.rel_ci_high for e in ests), "/ 400")

# power at the MDE (seed 99)
rng = np.random.default_rng(99)
lift = minimum_detectable_effect(10.0, 16.0, 1000, 1000)
data = rng.normal(10.0, 4.0, (400, 2, 1000))
data[:, 1] += lift * 10.0
s, q = data.sum(2), (data**2).sum(2)
hits = sum(
    compare_means(MeanStats(1000, s[i, 0], q[i, 0]), MeanStats(1000, s[i, 1], q[i, 1])).p_value
    < 0.05
    for i in range(400)
)
print(f"power at MDE {lift:.4f}: {hits} / 400 detected")

# CUPED bias and variance reduction (seed 2026), rho^2 = 5.12/7.37 = 0.695
rng = np.random.default_rng(2026)
pre = rng.gamma(2.0, 2.0, (1000, 2, 200))
post = 0.8 * pre + rng.normal(0, 1.5, (1000, 2, 200)) + 1.0
post[:, 1] += 0.25
sums = np.stack(
    [post.sum(2), (post**2).sum(2), pre.sum(2), (pre**2).sum(2), (post * pre).sum(2)], axis=-1
)
cu, raw, red = [], [], []
for i in range(1000):
    a, b = (CupedStats(200, *map(float, sums[i, j])) for j in (0, 1))
    e = compare_cuped(a, b)
    cu.append(e.abs_effect)
    raw.append(b.mean - a.mean)
    red.append(e.variance_reduction)
cu, raw = np.array(cu), np.array(raw)
print(f"CUPED mean estimate {cu.mean():.4f} (true 0.25, ±{cu.std(ddof=1) / 1000**0.5:.4f} s.e.)")
print(
    f"CUPED empirical variance reduction {1 - cu.var(ddof=1) / raw.var(ddof=1):.3f}, "
    f"mean reported {np.mean(red):.3f}, theory 0.695"
)
