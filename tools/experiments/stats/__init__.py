"""Pure statistics over per-arm sufficient statistics: no SQL, no I/O, no catalog.

Everything here takes plain numbers (n, sums, sums of products) and returns plain results,
so it is tested without a warehouse. One idea per module (import from the module; this
package stays light to import):

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
- `verdict`          MetricComparison, adjust_comparisons (families, non-inferiority),
                     decide_verdict, Verdict
- `health`           HealthCheck and the health-check rules over counts
- `distributions`    t, normal and chi-square tails and quantiles with `math` only
"""
