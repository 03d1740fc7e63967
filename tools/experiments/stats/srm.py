"""Sample ratio mismatch: did assignment deliver the configured traffic split?

A split that is off (say 53/47 for a configured 50/50) means units were lost or duplicated
unevenly — a logging or assignment bug — and every effect estimate is then suspect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from tools.errors import ExperimentError
from tools.experiments.stats.distributions import chi2_sf

SRM_THRESHOLD = 0.001
_SPLIT_HINT = 'Expected "arm:weight,arm:weight", e.g. "control:50,treatment:50".'


def split_weights(text: str) -> dict[str, float]:
    """The weights of "control:50,treatment:50" as written (arm → 50.0), not normalised.

    Weights may be percentages or any positive numbers ("a:1,b:1" is 50/50); a trailing "%"
    is allowed. Raises `ExperimentError` on an empty, malformed or duplicated entry.
    """
    split: dict[str, float] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        arm, sep, weight = part.partition(":")
        arm, weight = arm.strip(), weight.strip().removesuffix("%").strip()
        if not sep or not arm or not weight:
            raise ExperimentError(
                f"Cannot read traffic split entry {part!r} in {text!r}", hint=_SPLIT_HINT
            )
        try:
            value = float(weight)
        except ValueError:
            raise ExperimentError(
                f"Traffic split weight {weight!r} for arm {arm!r} is not a number", hint=_SPLIT_HINT
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ExperimentError(
                f"Traffic split weight for arm {arm!r} must be >= 0, got {weight}", hint=_SPLIT_HINT
            )
        if arm in split:
            raise ExperimentError(
                f"Arm {arm!r} appears twice in traffic split {text!r}", hint=_SPLIT_HINT
            )
        split[arm] = value
    if len(split) < 2 or sum(split.values()) <= 0:
        raise ExperimentError(
            f"Traffic split {text!r} needs at least two arms with traffic", hint=_SPLIT_HINT
        )
    return split


def parse_traffic_split(text: str) -> dict[str, float]:
    """Parse "control:50,treatment:50" into arm → share of traffic (shares sum to 1).

    Weights may be percentages or any positive numbers ("a:1,b:1" is 50/50); a trailing "%"
    is allowed. Raises `ExperimentError` on an empty, malformed or duplicated entry.
    """
    split = split_weights(text)
    total = sum(split.values())
    return {arm: w / total for arm, w in split.items()}


@dataclass(frozen=True)
class SrmResult:
    """Chi-square goodness of fit of assigned units against the configured split."""

    observed: dict[str, int]
    expected: dict[str, float]
    chi2: float
    df: int
    p_value: float
    threshold: float
    flagged: bool

    def describe(self) -> str:
        """One line for people: observed vs configured shares and the test result."""
        total = sum(self.observed.values())
        observed = ", ".join(f"{a} {n} ({n / total:.1%})" for a, n in self.observed.items())
        configured = "/".join(f"{self.expected[a] / total:.0%}" for a in self.observed)
        verdict = "<" if self.flagged else ">="
        return (
            f"sample ratio mismatch check: {observed} vs configured {configured}; "
            f"chi-square p={_format_p(self.p_value)} {verdict} {self.threshold:g}"
        )

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _format_p(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


def srm_test(
    counts: Mapping[str, int], split: Mapping[str, float], *, threshold: float = SRM_THRESHOLD
) -> SrmResult:
    """Chi-square test of unit counts per arm against `split` (shares or weights).

    Flags when p < `threshold` (0.001 by default: SRM checks run on every experiment, so
    the bar is set to keep false alarms rare). Configured arms with no units count as 0;
    units in an arm absent from the split raise `ExperimentError`.
    """
    unknown = [a for a, n in counts.items() if a not in split and n > 0]
    if unknown:
        raise ExperimentError(
            f"Units assigned to arm(s) {unknown} that the traffic split "
            f"{dict(split)} does not configure",
            hint="Fix the experiment's traffic_split or the assignment data.",
        )
    arms = [a for a in split if split[a] > 0 or counts.get(a, 0) > 0]
    observed = {a: int(counts.get(a, 0)) for a in arms}
    total = sum(observed.values())
    weight_total = sum(split[a] for a in arms)
    if total == 0:
        raise ExperimentError(
            "No units assigned to any arm: nothing to check",
            hint="Check the experiment id and the assignment dates.",
        )
    zero_weight = [a for a in arms if split[a] <= 0]
    if zero_weight:
        raise ExperimentError(
            f"Units assigned to arm(s) {zero_weight} configured with 0 % traffic",
            hint="Fix the traffic split or the assignment data.",
        )
    expected = {a: total * split[a] / weight_total for a in arms}
    # Pearson's statistic and the chi-square survival function: what scipy.stats.chisquare
    # computes, without importing scipy.stats (slow to load, heavy in memory).
    chi2 = sum((observed[a] - expected[a]) ** 2 / expected[a] for a in arms)
    p = chi2_sf(chi2, len(arms) - 1)
    return SrmResult(
        observed=observed,
        expected=expected,
        chi2=float(chi2),
        df=len(arms) - 1,
        p_value=p,
        threshold=threshold,
        flagged=p < threshold,
    )
