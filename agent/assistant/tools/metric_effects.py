"""One metric across every experiment: "which experiments improved saves?".

Each experiment is read by its own analysis, exactly as `summarize_experiment` gives it (the
result cache makes a second question cheap); only the metrics asked about are kept. Effects
from different windows, surfaces and populations are not directly comparable, so the answer
groups them by what each analysis concluded rather than ranking them against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from tools.catalog.model import Catalog
    from tools.experiments.results import ExperimentAnalysis, MetricResult
    from tools.warehouse.connection import Warehouse

# The groups of an answer, in the order they are shown.
GROUPS = ("Improved", "Regressed", "No significant change", "Not trustworthy", "Not analysed")


@dataclass(frozen=True)
class ExperimentEffects:
    """The asked-about metrics in one experiment: every treatment arm's result."""

    experiment_id: str
    verdict: str | None
    results: tuple[MetricResult, ...] = ()
    error: str | None = None  # why it could not be analysed

    @property
    def groups(self) -> list[str]:
        """Where this experiment belongs: improved and regressed both when arms disagree."""
        if self.error is not None or not self.results:
            return ["Not analysed"]
        if self.verdict == "invalid":
            return ["Not trustworthy"]
        readings = {m.reading() for m in self.results}
        pairs = (("Improved", "improved"), ("Regressed", "regressed"))
        moved = [group for group, reading in pairs if reading in readings]
        return moved or ["No significant change"]

    def to_dict(self) -> dict[str, object]:
        return {
            "experiment_id": self.experiment_id,
            "verdict": self.verdict,
            "groups": self.groups,
            "error": self.error,
            "metrics": [{**m.to_dict(), "reading": m.reading()} for m in self.results],
        }


@dataclass(frozen=True)
class MetricEffectsResult:
    metrics: tuple[str, ...]
    experiments: tuple[ExperimentEffects, ...]

    def in_group(self, group: str) -> list[ExperimentEffects]:
        return [e for e in self.experiments if group in e.groups]

    def table(self) -> tuple[list[str], list[list[object]]]:
        """One row per experiment, metric and treatment arm, as the answer shows them."""
        from tools.experiments.formatting import format_p

        columns = ["experiment", "verdict", "metric", "arm", "role", "effect [interval]", "p"]
        columns += ["p adj.", "reading"]
        rows: list[list[object]] = [
            [
                e.experiment_id,
                e.verdict or "—",
                m.metric,
                m.variant,
                m.role,
                m.effect_text(),
                format_p(m.estimate.p_value),
                format_p(m.p_adjusted),  # guardrails are not adjusted: "—"
                m.reading(),
            ]
            for e in self.experiments
            for m in e.results
        ]
        return columns, rows

    def to_dict(self) -> dict[str, object]:
        columns, rows = self.table()
        return {
            "metrics": list(self.metrics),
            "experiments": [e.to_dict() for e in self.experiments],
            "columns": columns,
            "rows": rows,
        }

    def to_text(self) -> str:
        lines = [
            f"effects on {', '.join(self.metrics)} in every experiment's own analysis "
            "(windows and populations differ: not directly comparable)"
        ]
        for e in self.experiments:
            head = f"{e.experiment_id} (verdict {e.verdict or '?'}): {', '.join(e.groups)}"
            lines.append(head + (f" — {e.error}" if e.error else ""))
            lines += [f"  {m.metric} {m.effect_line()}" for m in e.results]
        return "\n".join(lines)

    def summary(self) -> str:
        moved = len(self.in_group("Improved")) + len(self.in_group("Regressed"))
        return f"{len(self.experiments)} experiment(s), {moved} moved {', '.join(self.metrics)}"


def resolve_metrics(catalog: Catalog, text: str) -> tuple[str, ...]:
    """Catalog metrics named by `text`: exact names (comma-separated) or words naming them
    ("saves"). `InputError` listing the catalog's metrics when nothing matches."""
    from agent.assistant.names import known_names
    from tools.did_you_mean import did_you_mean
    from tools.errors import InputError

    names = [m.name for m in catalog.metrics]
    exact = [p.strip() for p in text.split(",") if p.strip() in names]
    found = exact or known_names(catalog).metrics_in(text)
    if not found:
        close = did_you_mean(text.strip(), names)
        listed = "Metrics: " + ", ".join(names) + "." if names else "The catalog defines none."
        raise InputError(
            f"No catalog metric matches {text.strip()!r}.",
            hint=(f"{close} " if close else "") + listed,
        )
    return tuple(dict.fromkeys(found))


def effects_in(analysis: ExperimentAnalysis, metrics: tuple[str, ...]) -> ExperimentEffects:
    """The asked-about metrics of one analysed experiment, every treatment arm."""
    kept = tuple(m for m in analysis.metrics if m.metric in metrics)
    return ExperimentEffects(analysis.meta.experiment_id, analysis.verdict.verdict, kept)


def compare_experiments(
    catalog: Catalog,
    warehouse: Warehouse,
    metric: str,
    experiment_ids: Sequence[str],
    *,
    cache_dir: Path | None = None,
) -> MetricEffectsResult:
    """The metrics `metric` names in each experiment's own analysis (the `summarize`
    defaults); an experiment that cannot be analysed is reported, not the end of it."""
    from agent.assistant.tools.experiments import summarize_experiment
    from tools.errors import LablensError

    metrics = resolve_metrics(catalog, metric)
    found = []
    for experiment_id in experiment_ids:
        try:
            summary = summarize_experiment(catalog, warehouse, experiment_id, cache_dir=cache_dir)
        except LablensError as exc:
            found.append(ExperimentEffects(experiment_id, None, error=str(exc)))
            continue
        found.append(effects_in(summary.analysis, metrics))
    return MetricEffectsResult(metrics, tuple(found))
