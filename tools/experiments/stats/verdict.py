"""The decision: ship, no_ship, tradeoff, invalid or inconclusive — with reasons.

Input is one `MetricComparison` per (metric, treatment arm): its role (primary, secondary or
guardrail), the good direction, the estimate and optionally an adjusted p-value. A move is
*significant* when its p-value (adjusted if given) is below alpha; it is *good* when its sign
matches `higher_is_better`, *bad* otherwise.

Rules, first match wins:

1. `invalid`      the SRM check flagged: effects cannot be trusted at all.
2. `no_ship`      any guardrail moved significantly the bad way, in any arm.
3. `tradeoff`     among primary and secondary metrics, across all arms, at least one good and
                  one bad significant move (primary up but a secondary down; one arm up and
                  another down; primary down but a secondary up).
4. `no_ship`      the primary metric moved significantly the bad way and nothing improved.
5. `ship`         the primary metric improved significantly in at least one arm (the
                  `winning_arms`), with no significant bad move anywhere.
6. `inconclusive` otherwise (including secondary-only moves with a flat primary).

Rule 4 extends the brief (which would call a clear primary regression "inconclusive"):
a significant harm to the primary metric is a conclusive reason not to ship.

Multiple testing (`adjust_comparisons`): primary and secondary comparisons of all arms form
one family and are adjusted together (Holm by default). Guardrails are *not* adjusted: they
protect users, so a missed regression costs more than a false alarm.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tools.errors import ExperimentError
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.multiple_testing import adjust_pvalues
from tools.experiments.stats.srm import SrmResult

ROLES = ("primary", "secondary", "guardrail")
VERDICTS = ("ship", "no_ship", "tradeoff", "invalid", "inconclusive")


@dataclass(frozen=True)
class MetricComparison:
    """One metric in one treatment arm against control."""

    metric: str
    arm: str
    role: str  # "primary" | "secondary" | "guardrail"
    higher_is_better: bool
    estimate: EffectEstimate
    adjusted_p_value: float | None = None

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

    def is_significant(self, alpha: float) -> bool:
        p = self.decision_p_value
        return not math.isnan(p) and p < alpha and self.estimate.abs_effect != 0

    def is_good(self) -> bool:
        """Whether the point estimate moved in the good direction."""
        return (self.estimate.abs_effect > 0) == self.higher_is_better


@dataclass(frozen=True)
class Verdict:
    """`verdict` is one of VERDICTS; `reasons` are sentences for people, most important first.

    `mde` maps each arm to the primary metric's relative MDE; `winning_arms` lists the arms
    whose primary metric improved significantly (set for `ship`, and for `tradeoff` when the
    primary improved somewhere).
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


def adjust_comparisons(
    comparisons: Sequence[MetricComparison], method: str = "holm"
) -> list[MetricComparison]:
    """Fill `adjusted_p_value` over the primary+secondary family; guardrails stay unadjusted."""
    family = [i for i, c in enumerate(comparisons) if c.role != "guardrail"]
    adjusted = adjust_pvalues([comparisons[i].estimate.p_value for i in family], method)
    out = list(comparisons)
    for i, p in zip(family, adjusted, strict=True):
        out[i] = replace(comparisons[i], adjusted_p_value=p)
    return out


def _format_p(p: float) -> str:
    if math.isnan(p):
        return "=n/a"
    return "<0.001" if p < 0.001 else f"={p:.2g}"


def describe_comparison(c: MetricComparison) -> str:
    """E.g. "saves_per_user +3.1% [+1.2%, +5.0%], p=0.0012 (adjusted 0.0036) in treatment"."""
    e = c.estimate
    if math.isnan(e.rel_effect):  # control mean is 0: a relative change has no meaning
        effect = f"{e.abs_effect:+.4g} [{e.abs_ci_low:+.4g}, {e.abs_ci_high:+.4g}] (absolute)"
    else:
        effect = f"{e.rel_effect:+.1%} [{e.rel_ci_low:+.1%}, {e.rel_ci_high:+.1%}]"
    text = f"{c.metric} {effect}, p{_format_p(e.p_value)}"
    if c.adjusted_p_value is not None:
        text += f" (adjusted {_format_p(c.adjusted_p_value).lstrip('=')})"
    text += f" in {c.arm}"
    if e.cuped and e.variance_reduction is not None:
        text += f" (CUPED cut variance by {e.variance_reduction:.0%})"
    return text


def _primary_metric(comparisons: Sequence[MetricComparison]) -> str:
    names = sorted({c.metric for c in comparisons if c.role == "primary"})
    if len(names) != 1:
        raise ExperimentError(
            f"A verdict needs exactly one primary metric, got {names or 'none'}",
            hint="Set the experiment's primary_metric.",
        )
    return names[0]


def decide_verdict(
    comparisons: Sequence[MetricComparison], *, srm: SrmResult | None = None, alpha: float = 0.05
) -> Verdict:
    """Apply the rules of this module's docstring; raises `ExperimentError` without a primary."""
    primary_name = _primary_metric(comparisons)
    primary = [c for c in comparisons if c.role == "primary"]
    mde = {c.arm: c.estimate.mde for c in primary}
    mde_line = ", ".join(f"±{m:.1%} in {a}" for a, m in mde.items() if not math.isnan(m))
    mde_reason = (
        f"minimum detectable effect for {primary_name} at this sample size "
        f"(alpha {alpha:g}, power 0.8): {mde_line or 'n/a'}"
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
            ],
        )

    sig = [c for c in comparisons if c.is_significant(alpha)]
    guard_bad = [c for c in sig if c.role == "guardrail" and not c.is_good()]
    good = [c for c in sig if c.role != "guardrail" and c.is_good()]
    bad = [c for c in sig if c.role != "guardrail" and not c.is_good()]
    winners = sorted({c.arm for c in good if c.role == "primary"})

    def lines(word: str, items: Sequence[MetricComparison]) -> list[str]:
        """ "<role> <word>: <description>" for each comparison, e.g. "guardrail regressed: …"."""
        return [f"{c.role} {word}: {describe_comparison(c)}" for c in items]

    if guard_bad:
        context = [f"primary: {describe_comparison(c)}" for c in primary]
        return verdict("no_ship", [*lines("regressed", guard_bad), *context, mde_reason])
    if good and bad:
        return verdict(
            "tradeoff", [*lines("improved", good), *lines("regressed", bad), mde_reason], winners
        )
    if any(c.role == "primary" for c in bad):
        return verdict("no_ship", [*lines("regressed", bad), mde_reason])
    if winners:
        guardrails = sorted({c.metric for c in comparisons if c.role == "guardrail"})
        guard_line = (
            f"no guardrail regressed ({', '.join(guardrails)})"
            if guardrails
            else "no guardrail metric configured"
        )
        return verdict("ship", [*lines("improved", good), guard_line, mde_reason], winners)
    not_sig = [c for c in primary if not c.is_significant(alpha)]
    return verdict(
        "inconclusive",
        [
            *lines("not significant", not_sig),
            *lines("improved", good),
            *lines("regressed", bad),
            mde_reason,
        ],
    )
