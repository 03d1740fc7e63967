"""The decision: ship, no_ship, tradeoff, invalid or inconclusive — with reasons.

Input is one `MetricComparison` per (metric, treatment arm): its role (primary, secondary or
guardrail), the good direction and the estimate; `adjust_comparisons` adds the adjusted
p-values and the guardrails' non-inferiority tests.

Families (`adjust_comparisons`), so that adding metrics never dilutes the primary:

- **primary**: the primary metric in every treatment arm (one arm: alpha undiluted);
- **secondary**: every secondary metric in every arm, its own Holm/BH family;
- **guardrail**: each guardrail gets a non-inferiority test — H0 "the harm is at least the
  margin" (relative, from the catalog, `DEFAULT_GUARDRAIL_MARGIN` otherwise), one-sided at
  alpha — and a harm test against 0; both Holm-adjusted across guardrails and arms.

A move is *significant* when its adjusted p is below alpha and its decision interval
excludes 0; the decision interval is the relative interval at the level the adjustment
implies (alpha·p/p_adj), so a reason never says "not significant" next to an interval that
excludes 0, nor "improved" next to one that includes it. Not-testable comparisons (zero
variance, tiny arm, zero denominator) are never significant and stay out of every family.

Rules, first match wins:

1. `invalid`      the SRM check or another health check failed: effects cannot be trusted.
2. `no_ship`      a guardrail got significantly worse and its non-inferiority is not shown.
3. `inconclusive` the primary metric is not testable in any arm (whatever else moved).
4. `tradeoff`     among primary and secondary metrics, at least one good and one bad
                  significant move (in any arms).
5. `no_ship`      the primary metric moved significantly the bad way and nothing improved.
6. `ship`         the primary improved significantly in at least one arm (`winning_arms`),
                  no significant bad move, every guardrail non-inferior in those arms, and
                  the effect is not carried by a few units (`concentrated`).
7. `inconclusive` otherwise: a flat or not-testable primary, a guardrail whose harm cannot be
                  ruled out beyond its margin, an effect carried by a few units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tools.errors import ExperimentError
from tools.experiments.stats.distributions import normal_ppf, t_sf
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.multiple_testing import adjust_pvalues
from tools.experiments.stats.srm import SrmResult

ROLES = ("primary", "secondary", "guardrail")
VERDICTS = ("ship", "no_ship", "tradeoff", "invalid", "inconclusive")
# A guardrail may get worse by up to 2 % (relative) and still count as not harmed.
DEFAULT_GUARDRAIL_MARGIN = 0.02
POWER = 0.8


@dataclass(frozen=True)
class MetricComparison:
    """One metric in one treatment arm against control."""

    metric: str
    arm: str
    role: str  # "primary" | "secondary" | "guardrail"
    higher_is_better: bool
    estimate: EffectEstimate
    adjusted_p_value: float | None = None
    margin: float | None = None  # guardrails: relative non-inferiority margin
    ni_p_value: float | None = None  # guardrails: one-sided non-inferiority p (raw)
    ni_adjusted_p: float | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ExperimentError(
                f"Metric {self.metric!r} has unknown role {self.role!r}",
                hint=f"Use one of: {', '.join(ROLES)}.",
            )

    @property
    def decision_p_value(self) -> float:
        """The adjusted p-value when there is one, else the raw one."""
        if self.adjusted_p_value is not None:
            return self.adjusted_p_value
        return self.estimate.p_value

    def decision_alpha(self, alpha: float) -> float:
        """The per-comparison level the adjustment implies: alpha · p / p_adj."""
        p, adj = self.estimate.p_value, self.adjusted_p_value
        if adj is None or math.isnan(p) or adj <= 0 or p <= 0 or adj <= p:
            return alpha
        return alpha * p / adj

    def decision_interval(self, alpha: float) -> tuple[float, float]:
        """(low, high) relative (absolute when the control is 0) at `decision_alpha`.

        Consistent with `is_significant` by construction: where the delta-method relative
        interval and the t-test disagree at the margin, the interval of the t-test itself
        (the absolute one, divided by the control value) is shown instead.
        """
        e, level = self.estimate, self.decision_alpha(alpha)
        same = level == alpha == e.alpha  # the estimate's own intervals are at this level
        lo, hi = (e.abs_ci_low, e.abs_ci_high) if same else e.absolute_interval(level)
        if math.isnan(e.rel_effect):
            return lo, hi
        rlo, rhi = (e.rel_ci_low, e.rel_ci_high) if same else e.relative_interval(level)
        if self._p_significant(alpha) == (rlo > 0 or rhi < 0):
            return rlo, rhi
        scale = abs(e.control_mean)
        return lo / scale, hi / scale

    def _p_significant(self, alpha: float) -> bool:
        p = self.decision_p_value
        return self.estimate.testable and not math.isnan(p) and p < alpha

    def is_significant(self, alpha: float) -> bool:
        if not self._p_significant(alpha) or self.estimate.abs_effect == 0:
            return False
        lo, hi = self.decision_interval(alpha)
        return lo > 0 or hi < 0

    def is_good(self) -> bool:
        """Whether the point estimate moved in the good direction."""
        return (self.estimate.abs_effect > 0) == self.higher_is_better

    def non_inferior(self, alpha: float) -> bool:
        """Guardrails: the harm is shown to be smaller than the margin."""
        p = self.ni_adjusted_p if self.ni_adjusted_p is not None else self.ni_p_value
        if p is None:  # not adjusted yet: this comparison's own test
            margin = DEFAULT_GUARDRAIL_MARGIN if self.margin is None else self.margin
            p = non_inferiority_p(self.estimate, margin, self.higher_is_better)
        return not math.isnan(p) and p < alpha


@dataclass(frozen=True)
class Verdict:
    """`verdict` is one of VERDICTS; `reasons` are sentences for people, most important first.

    `mde` maps each arm to the primary metric's relative MDE at the level its test used;
    `winning_arms` lists the arms whose primary metric improved significantly (set for `ship`,
    and for `tradeoff` when the primary improved somewhere).
    """

    verdict: str
    reasons: tuple[str, ...]
    mde: dict[str, float] = field(default_factory=dict)
    winning_arms: tuple[str, ...] = ()
    primary_metric: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "primary_metric": self.primary_metric,
            "mde": {a: (None if math.isnan(m) else m) for a, m in self.mde.items()},
            "winning_arms": list(self.winning_arms),
        }


def non_inferiority_p(estimate: EffectEstimate, margin: float, higher_is_better: bool) -> float:
    """One-sided p of H0 "relative harm ≥ margin" (NaN when not testable or no relative)."""
    if not estimate.testable or math.isnan(estimate.rel_effect) or not estimate.rel_se > 0:
        return math.nan
    good = estimate.rel_effect if higher_is_better else -estimate.rel_effect
    return t_sf((good + margin) / estimate.rel_se, estimate.df)


def adjust_comparisons(
    comparisons: Sequence[MetricComparison],
    method: str = "holm",
    *,
    margins: dict[str, float] | None = None,
) -> list[MetricComparison]:
    """Fill adjusted p-values per family (see module doc) and the guardrails' NI tests."""
    out = list(comparisons)
    for i, c in enumerate(out):
        if c.role == "guardrail":
            margin = (margins or {}).get(c.metric, c.margin)
            margin = DEFAULT_GUARDRAIL_MARGIN if margin is None else margin
            ni = non_inferiority_p(c.estimate, margin, c.higher_is_better)
            out[i] = replace(c, margin=margin, ni_p_value=ni)
    for role in ROLES:
        family = [i for i, c in enumerate(out) if c.role == role and c.estimate.testable]
        adjusted = adjust_pvalues([out[i].estimate.p_value for i in family], method)
        for i, p in zip(family, adjusted, strict=True):
            out[i] = replace(out[i], adjusted_p_value=p)
        if role == "guardrail":
            ni_adj = adjust_pvalues(
                [out[i].ni_p_value for i in family],  # type: ignore[misc]
                "holm" if method == "none" else method,
            )
            for i, p in zip(family, ni_adj, strict=True):
                out[i] = replace(out[i], ni_adjusted_p=p)
    return out


def _format_p(p: float) -> str:
    if math.isnan(p):
        return "=n/a"
    return "<0.001" if p < 0.001 else f"={p:.2g}"


def describe_comparison(c: MetricComparison, alpha: float = 0.05) -> str:
    """E.g. "saves_per_user +3.1% [+1.2%, +5.0%], p=0.0012 (adjusted 0.0036) in treatment"."""
    e = c.estimate
    if not e.testable:
        return f"{c.metric} not testable in {c.arm}: {e.not_testable}"
    lo, hi = c.decision_interval(alpha)
    adjusted = c.decision_alpha(alpha) < alpha
    label = " (adjusted interval)" if adjusted else ""
    if math.isnan(e.rel_effect):  # control mean is 0: a relative change has no meaning
        effect = f"{e.abs_effect:+.4g} [{lo:+.4g}, {hi:+.4g}] (absolute){label}"
    else:
        effect = f"{e.rel_effect:+.1%} [{lo:+.1%}, {hi:+.1%}]{label}"
    text = f"{c.metric} {effect}, p{_format_p(e.p_value)}"
    if c.adjusted_p_value is not None and c.adjusted_p_value != e.p_value:
        text += f" (adjusted {_format_p(c.adjusted_p_value).lstrip('=')})"
    text += f" in {c.arm}"
    if e.cuped and e.variance_reduction is not None:
        text += f" (CUPED cut variance by {e.variance_reduction:.0%})"
    return text


def _describe_guardrail(c: MetricComparison, alpha: float) -> str:
    margin = c.margin if c.margin is not None else DEFAULT_GUARDRAIL_MARGIN
    word = "worse" if c.higher_is_better else "higher"
    return (
        f"{describe_comparison(c, alpha)}; a harm beyond its margin ({margin:.1%} {word}) "
        "is not ruled out"
    )


def _primary_metric(comparisons: Sequence[MetricComparison]) -> str:
    names = sorted({c.metric for c in comparisons if c.role == "primary"})
    if len(names) != 1:
        raise ExperimentError(
            f"A verdict needs exactly one primary metric, got {names or 'none'}",
            hint="Set the experiment's primary_metric.",
        )
    return names[0]


def _mde_at(estimate: EffectEstimate, alpha: float, family: int) -> float:
    """The MDE at the level the primary's test used (Bonferroni bound of Holm over arms)."""
    if not estimate.testable or math.isnan(estimate.mde) or family <= 1:
        return estimate.mde
    z_power = normal_ppf(POWER)
    scale = (normal_ppf(1 - alpha / (2 * family)) + z_power) / (normal_ppf(1 - alpha / 2) + z_power)
    return estimate.mde * scale


def decide_verdict(
    comparisons: Sequence[MetricComparison],
    *,
    srm: SrmResult | None = None,
    alpha: float = 0.05,
    failed_checks: Sequence[str] = (),
    concentrated: Sequence[str] = (),
) -> Verdict:
    """Apply the rules of this module's docstring; raises `ExperimentError` without a primary.

    `failed_checks` are the details of failed health checks (rule 1); `concentrated` names
    the arms whose primary effect is carried by a few units (rule 6).
    """
    primary_name = _primary_metric(comparisons)
    primary = [c for c in comparisons if c.role == "primary"]
    family = sum(1 for c in primary if c.estimate.testable)
    mde = {c.arm: _mde_at(c.estimate, alpha, family) for c in primary}
    mde_line = ", ".join(f"±{m:.1%} in {a}" for a, m in mde.items() if not math.isnan(m))
    level = alpha if family <= 1 else alpha / family
    mde_reason = (
        f"minimum detectable effect for {primary_name} at this sample size "
        f"(alpha {level:.3g}, power {POWER:g}): {mde_line or 'n/a'}"
    )

    def verdict(name: str, reasons: list[str], winners: Sequence[str] = ()) -> Verdict:
        return Verdict(
            verdict=name,
            reasons=tuple(reasons),
            mde=mde,
            winning_arms=tuple(winners),
            primary_metric=primary_name,
        )

    if srm is not None and srm.flagged:
        return verdict(
            "invalid",
            [
                srm.describe(),
                "sample ratio mismatch: assignment or logging lost units unevenly, so no effect "
                "estimate can be trusted; find the cause before reading results",
                *failed_checks,
            ],
        )
    if failed_checks:
        return verdict(
            "invalid",
            [
                *[f"health check failed: {d}" for d in failed_checks],
                "the data behind the effects cannot be trusted; fix it before reading results",
            ],
        )

    sig = [c for c in comparisons if c.is_significant(alpha)]
    guard = [c for c in comparisons if c.role == "guardrail"]
    guard_bad = [c for c in guard if c in sig and not c.is_good() and not c.non_inferior(alpha)]
    good = [c for c in sig if c.role != "guardrail" and c.is_good()]
    bad = [c for c in sig if c.role != "guardrail" and not c.is_good()]
    winners = sorted({c.arm for c in good if c.role == "primary"})
    untested = [
        f"{c.role} {describe_comparison(c, alpha)}" for c in primary if not c.estimate.testable
    ]

    def lines(word: str, items: Sequence[MetricComparison]) -> list[str]:
        """ "<role> <word>: <description>" for each comparison, e.g. "guardrail regressed: …"."""
        return [f"{c.role} {word}: {describe_comparison(c, alpha)}" for c in items]

    if guard_bad:
        context = [f"primary: {describe_comparison(c, alpha)}" for c in primary]
        return verdict("no_ship", [*lines("regressed", guard_bad), *context, mde_reason])
    if primary and not any(c.estimate.testable for c in primary):
        moves = [*lines("improved", good), *lines("regressed", bad)]
        return verdict("inconclusive", [*untested, *moves, mde_reason])
    if good and bad:
        return verdict(
            "tradeoff", [*lines("improved", good), *lines("regressed", bad), mde_reason], winners
        )
    if any(c.role == "primary" for c in bad):
        return verdict("no_ship", [*lines("regressed", bad), mde_reason])
    unproven = [c for c in guard if c.arm in winners and not c.non_inferior(alpha)]
    hot = [a for a in winners if a in concentrated]
    if winners and not unproven and not hot:
        names = sorted({c.metric for c in guard})
        guard_line = (
            f"no guardrail regressed ({', '.join(names)}): each within its margin"
            if names
            else "no guardrail metric configured"
        )
        return verdict("ship", [*lines("improved", good), guard_line, mde_reason], winners)
    reasons = [*untested]
    if winners:
        reasons += lines("improved", good)
        reasons += [f"guardrail unproven: {_describe_guardrail(c, alpha)}" for c in unproven]
        reasons += [
            f"the {primary_name} effect in {a} is carried by a few units (see the "
            "concentration check): not a basis to ship"
            for a in hot
        ]
    else:
        not_sig = [c for c in primary if c.estimate.testable and not c.is_significant(alpha)]
        reasons += [*lines("not significant", not_sig), *lines("improved", good)]
    return verdict("inconclusive", [*reasons, *lines("regressed", bad), mde_reason])
