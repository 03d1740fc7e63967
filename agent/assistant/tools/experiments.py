"""The experiment tools: list experiments, summarize one, and the SQL its analysis runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.experiments.formatting import format_p, format_pct

if TYPE_CHECKING:
    from pathlib import Path

    from tools.catalog.model import Catalog
    from tools.experiments.analysis_sql import ExperimentSql
    from tools.experiments.daily import DailySeries
    from tools.experiments.report import ReportFiles
    from tools.experiments.results import ExperimentAnalysis
    from tools.warehouse.connection import Warehouse


@dataclass(frozen=True)
class ExperimentListResult:
    """Every experiment with its window, status, metrics and units (`experiment list --json`)."""

    experiments: tuple[dict[str, object], ...]

    def to_dict(self) -> dict[str, object]:
        return {"experiments": [dict(e) for e in self.experiments]}

    def to_text(self) -> str:
        if not self.experiments:
            return "No experiments in the warehouse."
        lines = []
        for e in self.experiments:
            lines.append(
                f"{e['experiment_id']}: {e.get('name') or ''} — {e.get('status') or '?'}, "
                f"{e['start']} to {e['end']}, primary {e['primary_metric']}, "
                f"{e['units']} units"
            )
        return "\n".join(lines)

    def summary(self) -> str:
        return f"{len(self.experiments)} experiment(s)"

    @property
    def ids(self) -> list[str]:
        return [str(e["experiment_id"]) for e in self.experiments]


def list_experiments(catalog: Catalog, warehouse: Warehouse) -> ExperimentListResult:
    from tools.experiments.source import list_experiments as list_rows
    from tools.experiments.statements.experiment_source import experiment_source

    source = experiment_source(catalog)
    rows = []
    for meta, units in list_rows(catalog, warehouse):
        row: dict[str, object] = {
            "experiment_id": meta.experiment_id,
            "name": meta.name,
            "team": meta.team,
        }
        row.update(meta.scope_attributes(source))
        row.update(
            {
                "start": meta.start.isoformat(),
                "end": meta.end.isoformat(),
                "status": meta.status,
                "primary_metric": meta.primary_metric,
                "guardrail_metrics": list(meta.guardrail_metrics),
                "units": units,
            }
        )
        rows.append(row)
    return ExperimentListResult(tuple(rows))


@dataclass(frozen=True)
class ExperimentSummaryResult:
    """An experiment's analysis (`experiment summarize --json`): effects, SRM, verdict, reasons."""

    analysis: ExperimentAnalysis
    daily: DailySeries | None = None  # the verdict's metrics by arm and day (for charts)
    report: ReportFiles | None = None  # the files `summarize --report` wrote

    @property
    def experiment_id(self) -> str:
        return self.analysis.meta.experiment_id

    @property
    def verdict(self) -> str:
        return self.analysis.verdict.verdict

    def to_dict(self) -> dict[str, object]:
        from tools.experiments.daily import daily_to_dict

        data = dict(self.analysis.to_dict())
        if self.daily is not None:
            data["daily"] = daily_to_dict(self.daily)
        if self.report is not None:
            data["report"] = self.report.to_dict()
        return data

    def to_text(self) -> str:
        a = self.analysis
        lines = [
            f"experiment {a.meta.experiment_id} ({a.meta.name or ''}), "
            f"{a.meta.start} to {a.meta.end}, status {a.meta.status or '?'}",
            "arms: " + ", ".join(f"{arm} {n} units" for arm, n in a.arms.items()),
        ]
        if a.srm is not None:
            lines.append(a.srm.describe())
        lines.append(f"verdict: {a.verdict.verdict}")
        lines += [f"reason: {r}" for r in a.verdict.reasons]
        for m in a.metrics:
            e = m.estimate
            p = m.p_adjusted if m.p_adjusted is not None else e.p_value
            lines.append(
                f"metric {m.metric} ({m.role}) in {m.variant}: {format_pct(e.rel_effect)} "
                f"[{format_pct(e.rel_ci_low)}, {format_pct(e.rel_ci_high)}], "
                f"p adjusted {format_p(p)}{', significant' if m.significant else ''}"
            )
        lines += [f"note: {n}" for n in a.notes]
        return "\n".join(lines)

    def summary(self) -> str:
        return f"{self.experiment_id}: {self.verdict}"


def summarize_experiment(
    catalog: Catalog,
    warehouse: Warehouse,
    experiment_id: str,
    *,
    cache_dir: Path | None = None,
    segments: tuple[str, ...] = (),
    daily: bool = False,
) -> ExperimentSummaryResult:
    """The analysis with the default settings of `lablens experiment summarize` (`daily`:
    also the daily series by arm, as `summarize --daily`)."""
    from tools.experiments.analyze import analyze_experiment
    from tools.experiments.daily import verdict_daily

    analysis = analyze_experiment(
        catalog,
        warehouse,
        experiment_id,
        cuped=True,
        segments=list(segments),
        alpha=0.05,
        correction="holm",
        cache_dir=cache_dir,
    )
    series = verdict_daily(catalog, warehouse, analysis) if daily else None
    return ExperimentSummaryResult(analysis, series)


@dataclass(frozen=True)
class ExperimentSqlResult:
    """The validated statements an experiment's analysis runs (`experiment sql --json`)."""

    sql: ExperimentSql

    @property
    def experiment_id(self) -> str:
        return self.sql.experiment_id

    @property
    def dialect(self) -> str:
        return self.sql.dialect

    @property
    def statements(self) -> tuple[str, ...]:
        return tuple(s.sql for s in self.sql.statements)

    def to_dict(self) -> dict[str, object]:
        return dict(self.sql.to_dict())

    def to_text(self) -> str:
        return f"SQL of the {self.experiment_id} analysis ({self.dialect}):\n{self.sql.to_text()}"

    def summary(self) -> str:
        return f"{len(self.sql.statements)} statement(s)"


def experiment_sql(
    catalog: Catalog, warehouse: Warehouse, experiment_id: str, *, cache_dir: Path | None = None
) -> ExperimentSqlResult:
    """The SQL `lablens experiment sql ID` prints, with the same defaults (arms level)."""
    from tools.experiments.analysis_sql import experiment_sql_for

    return ExperimentSqlResult(
        experiment_sql_for(catalog, warehouse, experiment_id, cache_dir=cache_dir)
    )
