"""Experiment analysis: statistics over per-arm sufficient statistics, and verdicts.

The warehouse computes per-arm aggregates (n, sums, sums of squares, cross sums) in SQL; the
modules here turn those aggregates into effects, p-values, intervals and a verdict. Raw rows
never come into Python, so the cost does not depend on the number of units.

One idea per module (import from the module; this package stays light to import):

- `sufficient`       MeanStats, RatioStats, CupedStats, CupedRatioStats, proportion_stats,
                     stats_from_sums (named sums of a SQL row -> the right dataclass)
- `moments`          mean vector + covariance per arm and the delta-method variance
- `estimate`         EffectEstimate and the shared two-arm contrast (Welch df, CIs, relative)
- `welch`            compare_means (also proportions): Welch t-test
- `ratio`            compare_ratios: ratio metrics by the delta method
- `cuped`            pooled_theta, compare_cuped, compare_cuped_ratios
- `arms`             compare_arms: each treatment arm against control
- `srm`              parse_traffic_split, srm_test
- `multiple_testing` adjust_pvalues (Holm, Benjamini–Hochberg)
- `power`            minimum_detectable_effect
- `verdict`          MetricComparison, adjust_comparisons, decide_verdict, Verdict

The warehouse side (SQL for the sums, fetching, orchestration, reports) lives in the other
modules of this package and calls the pure functions above.
"""
