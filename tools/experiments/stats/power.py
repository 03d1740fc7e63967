"""Minimum detectable effect at the sample size an experiment reached."""

from __future__ import annotations

import math

from tools.experiments.stats.distributions import normal_ppf


def pooled_variance(
    var_control: float, n_control: int, var_treatment: float, n_treatment: int
) -> float:
    """Per-unit variance pooled over two arms, each weighted by its degrees of freedom."""
    return ((n_control - 1) * var_control + (n_treatment - 1) * var_treatment) / (
        n_control + n_treatment - 2
    )


def minimum_detectable_effect(
    control_mean: float,
    pooled_var: float,
    n_control: int,
    n_treatment: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """Smallest relative effect a two-sided test at `alpha` detects with probability `power`.

    MDE = (z[1-alpha/2] + z[power]) · sqrt(pooled_var · (1/n_control + 1/n_treatment))
          / |control_mean|, a fraction (0.021 means ±2.1 %). NaN when the control mean is 0.
    Normal quantiles: at the sample sizes experiments reach, t and z agree to 3 digits.
    """
    if control_mean == 0 or n_control < 1 or n_treatment < 1:
        return math.nan
    z = normal_ppf(1 - alpha / 2) + normal_ppf(power)
    se = math.sqrt(max(pooled_var, 0.0) * (1 / n_control + 1 / n_treatment))
    return float(z * se / abs(control_mean))
