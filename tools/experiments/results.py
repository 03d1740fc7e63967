"""What an experiment analysis returns: health, per-metric results, segments, the whole.

Plain data with `to_dict()` giving the `lablens experiment summarize --json` shape (NaN as
null, dates as ISO strings; `health` first) and `to_text()` a compact form for a model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tools.experiments.formatting import format_number, format_p, format_pct
from tools.experiments.source import ExperimentMeta
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.health import HealthCheck
from tools.experiments.stats.srm import SrmResult
from tools.experiments.stats.verdict import MetricComparison, Verdict


def _num(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True)
class Cap:
    """A winsorisation cap applied to a mean metric's per-unit values."""

    metric: str
    value: float
    level: float | None  # the percentile (0.99), None for a fixed catalog cap

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "value": self.value, "level": self.level}

    def describe(self) -> str:
        source = f"p{self.level * 100:g} of all units" if self.level is not None else "catalog"
        return f"{self.metric} ≤ {format_number(self.value)} ({source})"


@dataclass(frozen=True)
class MetricResult:
    """One metric in one treatment arm: the estimate, its decision-ready numbers."""

    metric: str
    kind: str
    role: str
    variant: str
    higher_is_better: bool
    estimate: EffectEstimate
    p_adjusted: float | None
    significant: bool
    decision_ci: tuple[float, float] | None = None
    ci_level: float | None = None
    margin: float | None = None
    non_inferiority_p: float | None = None
    non_inferior: bool | None = None

    @classmethod
    def from_comparison(
        cls, c: MetricComparison, kind: str, alpha: float, *, adjusted: bool = True
    ) -> MetricResult:
        testable = c.estimate.testable
        guard = c.role == "guardrail"
        return cls(
            metric=c.metric,
            kind=kind,
            role=c.role,
            variant=c.arm,
            higher_is_better=c.higher_is_better,
            estimate=c.estimate,
            p_adjusted=c.adjusted_p_value if adjusted and not guard else None,
            significant=c.is_significant(alpha),
            decision_ci=c.decision_interval(alpha) if testable else None,
            ci_level=1 - c.decision_alpha(alpha) if testable else None,
            margin=c.margin if guard else None,
            non_inferiority_p=(
                (c.ni_adjusted_p if c.ni_adjusted_p is not None else c.ni_p_value)
                if guard
                else None
            ),
            non_inferior=c.non_inferior(alpha) if guard and testable else None,
        )

    @property
    def not_testable(self) -> str | None:
        return self.estimate.not_testable

    @property
    def treatment_adjusted(self) -> float | None:
        """With CUPED: the treatment value consistent with the adjusted effect."""
        e = self.estimate
        if not e.cuped or not e.testable:
            return None
        return e.control_mean + e.abs_effect

    def to_dict(self) -> dict[str, Any]:
        e = self.estimate
        lo, hi = self.decision_ci or (None, None)
        return {
            "metric": self.metric,
            "kind": self.kind,
            "role": self.role,
            "variant": self.variant,
            "higher_is_better": self.higher_is_better,
            "testable": e.testable,
            "not_testable": e.not_testable,
            "control_units": e.control_n,
            "treatment_units": e.treatment_n,
            "control_mean": _num(e.control_mean),
            "treatment_mean": _num(e.treatment_mean),
            "treatment_adjusted": _num(self.treatment_adjusted),
            "abs_effect": _num(e.abs_effect),
            "abs_ci_low": _num(e.abs_ci_low),
            "abs_ci_high": _num(e.abs_ci_high),
            "rel_effect": _num(e.rel_effect),
            "ci_low": _num(e.rel_ci_low),
            "ci_high": _num(e.rel_ci_high),
            "decision_ci_low": _num(lo),
            "decision_ci_high": _num(hi),
            "ci_level": _num(self.ci_level),
            "p_value": _num(e.p_value),
            "p_adjusted": _num(self.p_adjusted),
            "significant": self.significant,
            "margin": self.margin,
            "non_inferiority_p": _num(self.non_inferiority_p),
            "non_inferior": self.non_inferior,
            "cuped": e.cuped,
            "method": e.method,
            "mde": _num(e.mde),
            "variance_reduction": _num(e.variance_reduction),
        }

    def reading(self) -> str:
        """'improved', 'regressed', 'no significant change' or 'not testable', in the metric's
        own direction: a significantly lower hide rate improved."""
        if not self.estimate.testable:
            return "not testable"
        if not self.significant:
            return "no significant change"
        good = (self.estimate.abs_effect > 0) == self.higher_is_better
        return "improved" if good else "regressed"

    def effect_line(self) -> str:
        """`boost_high: -0.4 % [-2.1 %, +1.3 %], p 0.612 (guardrail): no significant change`."""
        p = self.p_adjusted if self.p_adjusted is not None else self.estimate.p_value
        which = "p adj." if self.p_adjusted is not None else "p"
        text = f"{self.variant}: {self.effect_text()}"
        if self.estimate.testable:
            text += f", {which} {format_p(p)}"
        text += f" ({self.role}): {self.reading()}"
        if self.role == "guardrail" and self.non_inferior is not None and self.margin is not None:
            bound = f"{self.margin:.1%}"
            text += (
                f"; a harm beyond its {bound} margin is ruled out"
                if self.non_inferior
                else f"; a harm beyond its {bound} margin is not ruled out"
            )
        return text

    def effect_text(self) -> str:
        """`+2.8 % [+1.9 %, +3.7 %]`, or why there is no test."""
        e = self.estimate
        if not e.testable:
            return f"not testable: {e.not_testable}"
        lo, hi = self.decision_ci or (e.rel_ci_low, e.rel_ci_high)
        if math.isnan(e.rel_effect):
            return f"{format_number(e.abs_effect, signed=True)} (absolute)"
        return f"{format_pct(e.rel_effect)} [{format_pct(lo)}, {format_pct(hi)}]"


@dataclass(frozen=True)
class SegmentResult:
    """Primary and guardrail effects within one segment (e.g. country=US, platform=ios)."""

    values: dict[str, Any]
    units: dict[str, int]
    metrics: list[MetricResult]
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment": self.values,
            "units": self.units,
            "metrics": [m.to_dict() for m in self.metrics],
            "skipped": self.skipped,
        }


@dataclass
class ExperimentAnalysis:
    meta: ExperimentMeta
    control: str
    arms: dict[str, int]
    srm: SrmResult | None
    metrics: list[MetricResult]
    verdict: Verdict
    cuped_requested: bool
    alpha: float
    correction: str
    pre_period: tuple[str, str] | None = None
    segments: list[SegmentResult] = field(default_factory=list)
    segment_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    health: list[HealthCheck] = field(default_factory=list)
    caps: list[Cap] = field(default_factory=list)

    @property
    def treatments(self) -> list[str]:
        return [a for a in self.arms if a != self.control]

    def to_dict(self) -> dict[str, Any]:
        srm = None
        if self.srm is not None:
            srm = {
                "p_value": self.srm.p_value,
                "ok": not self.srm.flagged,
                "chi2": self.srm.chi2,
                "observed": self.srm.observed,
                "expected": {a: round(v, 2) for a, v in self.srm.expected.items()},
                "threshold": self.srm.threshold,
            }
        verdict = self.verdict.to_dict()
        return {
            "health": [h.to_dict() for h in self.health],
            "experiment_id": self.meta.experiment_id,
            "name": self.meta.name,
            "team": self.meta.team,
            "status": self.meta.status,
            "window": {"start": self.meta.start.isoformat(), "end": self.meta.end.isoformat()},
            "pre_period": (
                None
                if self.pre_period is None
                else {"start": self.pre_period[0], "end": self.pre_period[1]}
            ),
            "scope": dict(self.meta.scope),
            "control": self.control,
            "arms": [{"variant": a, "units": n} for a, n in self.arms.items()],
            "srm": srm,
            "alpha": self.alpha,
            "correction": self.correction,
            "cuped": self.cuped_requested,
            "caps": [c.to_dict() for c in self.caps],
            "metrics": [m.to_dict() for m in self.metrics],
            "verdict": self.verdict.verdict,
            "reasons": list(self.verdict.reasons),
            "mde": verdict["mde"],
            "winning_arms": verdict["winning_arms"],
            "segment_columns": list(self.segment_columns),
            "segments": [s.to_dict() for s in self.segments],
            "notes": list(self.notes),
            "sql": list(self.sql),
        }

    def to_text(self) -> str:
        """A compact summary for a model: health problems, verdict, primary and guardrails."""
        lines = [
            f"experiment {self.meta.experiment_id} ({self.meta.start}–{self.meta.end}): "
            f"verdict {self.verdict.verdict}"
        ]
        lines += [
            f"health {h.status}: {h.check}: {h.detail}" for h in self.health if h.status != "ok"
        ]
        lines += [f"- {r}" for r in self.verdict.reasons]
        for m in self.metrics:
            if m.role == "secondary":
                continue
            p = m.p_adjusted if m.p_adjusted is not None else m.estimate.p_value
            lines.append(f"{m.role} {m.metric} in {m.variant}: {m.effect_text()}, p {format_p(p)}")
        if self.caps:
            lines.append("capped: " + ", ".join(c.describe() for c in self.caps))
        return "\n".join(lines)
