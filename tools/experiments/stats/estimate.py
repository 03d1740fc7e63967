"""The result of comparing one treatment arm with control, and the contrast that builds it.

Every metric kind (mean, proportion, ratio, CUPED, CUPED ratio) ends here: each arm gives a
statistic (its value and its gradient with respect to the arm's mean vector), and
`contrast` turns two of them into the absolute effect, the relative effect against the
control reference value, Welch–Satterthwaite degrees of freedom, a t-test and intervals.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from tools.errors import ExperimentError
from tools.experiments.stats.distributions import t_ppf, t_two_sided_p
from tools.experiments.stats.moments import Moments
from tools.experiments.stats.power import minimum_detectable_effect, pooled_variance
from tools.experiments.stats.vectors import Vector


@dataclass(frozen=True)
class EffectEstimate:
    """Treatment minus control for one metric.

    - `control_mean`, `treatment_mean`: the arms' raw (unadjusted) means or ratios.
    - `abs_effect`: treatment − control; for CUPED the *adjusted* difference, so it need not
      equal `treatment_mean − control_mean`.
    - `abs_ci_low/high`: t interval for the absolute effect at level 1 − alpha.
    - `rel_effect`: abs_effect / |control_mean| (0.031 is +3.1 %); its sign always matches
      `abs_effect`. `rel_ci_low/high`: delta-method interval on the relative effect (it
      accounts for the noise in the control mean). NaN when the control mean is 0.
    - `se`, `rel_se`: standard errors of the absolute and relative effects.
    - `statistic`, `df`, `p_value`: Welch t statistic, Welch–Satterthwaite df and the two-sided
      p-value, all on the absolute effect (the p-value is unadjusted; see multiple_testing).
      The relative interval and the p-value can disagree at the margin; verdicts use p.
    - `mde`: relative minimum detectable effect at this sample size (alpha, power 0.8).
    - `cuped`, `theta`, `variance_reduction`: whether CUPED was applied, its coefficient, and
      1 − Var(adjusted effect)/Var(unadjusted effect).
    """

    method: str
    control_n: int
    treatment_n: int
    control_mean: float
    treatment_mean: float
    abs_effect: float
    abs_ci_low: float
    abs_ci_high: float
    rel_effect: float
    rel_ci_low: float
    rel_ci_high: float
    se: float
    rel_se: float
    statistic: float
    df: float
    p_value: float
    alpha: float
    mde: float
    cuped: bool = False
    theta: float | None = None
    variance_reduction: float | None = None
    # Why no test is possible (zero variance, an arm below MIN_UNITS_PER_ARM, a zero
    # denominator), naming the arm; every number but the means is then NaN and never shown.
    not_testable: str | None = None

    @property
    def testable(self) -> bool:
        return self.not_testable is None

    def relative_interval(self, alpha: float) -> tuple[float, float]:
        """The delta-method interval of the relative effect at level 1 − `alpha`."""
        half = t_ppf(1 - alpha / 2, self.df) * self.rel_se
        return self.rel_effect - half, self.rel_effect + half

    def absolute_interval(self, alpha: float) -> tuple[float, float]:
        half = t_ppf(1 - alpha / 2, self.df) * self.se
        return self.abs_effect - half, self.abs_effect + half

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict; NaN becomes None so `json.dumps` output stays standard JSON."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


@dataclass(frozen=True)
class ArmStatistic:
    """An arm's statistic: its value and gradient with respect to the arm's mean vector."""

    moments: Moments
    value: float
    grad: Vector
    # value = shift_value + centred_value for linear statistics of centred sums; two arms
    # with the same shift_value are compared on centred values (no cancellation at 1e12).
    centred_value: float | None = None
    shift_value: float = 0.0

    @property
    def variance(self) -> float:
        """Delta-method variance of the statistic."""
        return self.moments.variance_of_mean(self.grad)


# Below this many units in an arm, means are too unstable for a t-test (the normal
# approximation behind it needs a few dozen units even for mildly skewed metrics).
MIN_UNITS_PER_ARM = 50


def untestable(
    method: str,
    control_n: int,
    treatment_n: int,
    control_mean: float,
    treatment_mean: float,
    *,
    alpha: float,
    reason: str,
) -> EffectEstimate:
    """An estimate that carries only the means and why no test can be made."""
    nan = math.nan
    return EffectEstimate(
        method=method,
        control_n=control_n,
        treatment_n=treatment_n,
        control_mean=control_mean,
        treatment_mean=treatment_mean,
        abs_effect=treatment_mean - control_mean
        if math.isfinite(treatment_mean - control_mean)
        else nan,
        abs_ci_low=nan,
        abs_ci_high=nan,
        rel_effect=nan,
        rel_ci_low=nan,
        rel_ci_high=nan,
        se=nan,
        rel_se=nan,
        statistic=nan,
        df=nan,
        p_value=nan,
        alpha=alpha,
        mde=nan,
        not_testable=reason,
    )


def welch_satterthwaite_df(var_c: float, n_c: int, var_t: float, n_t: int) -> float:
    """Welch–Satterthwaite degrees of freedom from the variances of the two arm estimates."""
    denom = var_c**2 / (n_c - 1) + var_t**2 / (n_t - 1)
    return (var_c + var_t) ** 2 / denom if denom > 0 else math.nan


def contrast(
    control: ArmStatistic,
    treatment: ArmStatistic,
    reference: ArmStatistic,
    *,
    alpha: float,
    method: str,
    treatment_mean: float,
    cuped: bool = False,
    theta: float | None = None,
    variance_reduction: float | None = None,
) -> EffectEstimate:
    """Compare two arm statistics; `reference` is the control value the relative effect uses.

    `reference` must be computed on the control arm's moments (it is the raw control mean or
    ratio, which for CUPED differs from the adjusted `control` statistic).
    """
    if not 0 < alpha < 1:
        raise ExperimentError(
            f"alpha must be between 0 and 1, got {alpha}", hint="0.05 is the usual level."
        )
    n_c, n_t = control.moments.n, treatment.moments.n
    if (
        control.centred_value is not None
        and treatment.centred_value is not None
        and control.shift_value == treatment.shift_value
    ):
        diff = treatment.centred_value - control.centred_value
    else:
        diff = treatment.value - control.value
    var_c, var_t = control.variance, treatment.variance
    se = math.sqrt(var_c + var_t)
    df = welch_satterthwaite_df(var_c, n_c, var_t, n_t)
    if se > 0:
        statistic = diff / se
        # math-only t tail and quantile (`distributions`): scipy.special costs 0.45 s to import.
        p_value = t_two_sided_p(statistic, df)
        t_crit = t_ppf(1 - alpha / 2, df)
    else:  # both arms constant: no sampling noise to test against
        return untestable(
            method,
            n_c,
            n_t,
            float(reference.value),
            float(treatment_mean),
            alpha=alpha,
            reason="zero variance in both arms (every unit has the same value)",
        )

    m_c = reference.value
    if m_c != 0:
        rel = diff / abs(m_c)
        # Gradient of diff/|m_c|: d/d(control means) = -grad_c/|m_c| - rel·grad_ref/m_c.
        g_c = tuple(
            -c / abs(m_c) - rel * r / m_c for c, r in zip(control.grad, reference.grad, strict=True)
        )
        g_t = tuple(t / abs(m_c) for t in treatment.grad)
        rel_se = math.sqrt(
            control.moments.variance_of_mean(g_c) + treatment.moments.variance_of_mean(g_t)
        )
        unit_var = pooled_variance(
            control.moments.unit_variance(control.grad),
            n_c,
            treatment.moments.unit_variance(treatment.grad),
            n_t,
        )
        mde = minimum_detectable_effect(m_c, unit_var, n_c, n_t, alpha=alpha)
    else:
        rel = rel_se = mde = math.nan

    half, rel_half = t_crit * se, t_crit * rel_se
    return EffectEstimate(
        method=method,
        control_n=n_c,
        treatment_n=n_t,
        control_mean=float(m_c),
        treatment_mean=float(treatment_mean),
        abs_effect=float(diff),
        abs_ci_low=diff - half,
        abs_ci_high=diff + half,
        rel_effect=float(rel),
        rel_ci_low=rel - rel_half,
        rel_ci_high=rel + rel_half,
        se=se,
        rel_se=float(rel_se),
        statistic=float(statistic),
        df=float(df),
        p_value=p_value,
        alpha=alpha,
        mde=float(mde),
        cuped=cuped,
        theta=theta,
        variance_reduction=variance_reduction,
    )
