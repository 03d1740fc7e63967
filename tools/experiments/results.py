"""What an experiment analysis returns: per-metric results, segments, and the whole analysis.

Plain data with `to_dict()` giving the `lablens experiment summarize --json` shape (NaN as
null, dates as ISO strings).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tools.experiments.source import ExperimentMeta
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.srm import SrmResult
from tools.experiments.stats.verdict import Verdict


@dataclass(frozen=True)
class MetricResult:
    """One metric in one treatment arm: the estimate and its decision-ready p-value."""

    metric: str
    kind: str
    role: str
    variant: str
    higher_is_better: bool
    estimate: EffectEstimate
    p_adjusted: float | None
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        e = self.estimate

        def num(v: float | None) -> float | None:
            return None if v is None or math.isnan(v) else float(v)

        return {
            "metric": self.metric,
            "kind": self.kind,
            "role": self.role,
            "variant": self.variant,
            "higher_is_better": self.higher_is_better,
            "control_units": e.control_n,
            "treatment_units": e.treatment_n,
            "control_mean": num(e.control_mean),
            "treatment_mean": num(e.treatment_mean),
            "abs_effect": num(e.abs_effect),
            "abs_ci_low": num(e.abs_ci_low),
            "abs_ci_high": num(e.abs_ci_high),
            "rel_effect": num(e.rel_effect),
            "ci_low": num(e.rel_ci_low),
            "ci_high": num(e.rel_ci_high),
            "p_value": num(e.p_value),
            "p_adjusted": num(self.p_adjusted),
            "significant": self.significant,
            "cuped": e.cuped,
            "method": e.method,
            "mde": num(e.mde),
            "variance_reduction": num(e.variance_reduction),
        }


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
            "metrics": [m.to_dict() for m in self.metrics],
            "verdict": self.verdict.verdict,
            "reasons": list(self.verdict.reasons),
            "mde": verdict["mde"],
            "winning_arms": verdict["winning_arms"],
            "segment_columns": list(self.segment_columns),
            "segments": [s.to_dict() for s in self.segments],
            "notes": list(self.notes),
        }
