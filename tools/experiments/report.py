"""The experiment report: Markdown with front matter, PNG plots next to it, related docs.

The front matter (title, team, date, doc_type: experiment_report, experiment_id, decision)
makes the report join the docs index as an experiment report. Plots: each primary/guardrail
metric per day and arm (daily aggregates from the warehouse), and every effect with its
confidence interval (a forest plot). Related design docs and past reports come from the docs
index when there is one; without it the report says so and is otherwise complete.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.errors import LablensError
from tools.experiments.formatting import format_number, format_p, format_pct

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.experiments.daily import DailySeries
    from tools.experiments.results import ExperimentAnalysis, MetricResult
    from tools.warehouse.connection import Warehouse


RELATED_TYPES = ("design_doc", "experiment_report")


@dataclass(frozen=True)
class RelatedDoc:
    path: str
    title: str
    doc_type: str | None
    heading: str = ""
    start_line: int | None = None


@dataclass
class ReportFiles:
    markdown: Path
    images: list[Path] = field(default_factory=list)
    related: list[RelatedDoc] = field(default_factory=list)
    related_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": str(self.markdown),
            "images": [str(p) for p in self.images],
            "related": [vars(r) for r in self.related],
            "related_note": self.related_note,
        }


# (query, doc_type, k) -> documents; raises `LablensError` when no index can answer.
DocSearch = Callable[[str, str, int], Sequence[RelatedDoc]]


def find_related(
    analysis: ExperimentAnalysis, search: DocSearch | None, *, k: int = 3
) -> tuple[list[RelatedDoc], str | None]:
    """Design docs and past reports about this experiment, or ([], why there are none)."""
    if search is None:
        return [], "no workspace state folder: related documents not searched"
    query = " ".join(filter(None, [analysis.meta.experiment_id, analysis.meta.name]))
    try:
        found = [d for doc_type in RELATED_TYPES for d in search(query, doc_type, k)]
    except (ImportError, LablensError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        return (
            [],
            f"docs index not available ({message}); run `lablens index` to list "
            "related design docs and past reports here",
        )
    return found, None if found else "the docs index has no related documents"


def _num(v: float) -> str:
    return "n/a" if math.isnan(v) else f"{v:,.4g}"


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def render_markdown(
    analysis: ExperimentAnalysis,
    *,
    images: Sequence[Path],
    related: Sequence[RelatedDoc],
    related_note: str | None,
    today: date,
) -> str:
    """The report text (pure: everything it shows is passed in)."""
    meta = analysis.meta
    title = f"Experiment report: {meta.name or meta.experiment_id} ({meta.experiment_id})"
    front = [
        "---",
        f"title: {_yaml(title)}",
        f"team: {_yaml(meta.team or 'unknown')}",
        f"date: {today.isoformat()}",
        "doc_type: experiment_report",
        f"experiment_id: {_yaml(meta.experiment_id)}",
        f"decision: {analysis.verdict.verdict}",
        "---",
        "",
    ]
    lines = [f"# {title}", ""]
    # Health first: a failed check is why the decision reads `invalid`.
    lines += ["## Health checks", "", "| check | status | detail |", "|---|---|---|"]
    lines += [
        f"| {h.check} | {h.status.upper() if h.status != 'ok' else 'ok'} | {_cell(h.detail)} |"
        for h in analysis.health
    ]
    lines += ["", f"**Decision: {analysis.verdict.verdict}**", ""]
    lines += [f"- {r}" for r in analysis.verdict.reasons] + [""]
    lines += [
        "## Setup",
        "",
        f"- Window: {meta.start} to {meta.end}"
        + (
            f" (scope: {', '.join(f'{k} = {v}' for k, v in meta.scope.items())})"
            if meta.scope
            else ""
        ),
        "- Arms: "
        + ", ".join(f"{a} {n:,} units" for a, n in analysis.arms.items())
        + f" (control: {analysis.control})",
    ]
    if analysis.srm is not None:
        ok = "passed" if not analysis.srm.flagged else "FAILED"
        lines.append(f"- Sample ratio check {ok}: {analysis.srm.describe()}")
    cuped = (
        f"CUPED with the pre-period {analysis.pre_period[0]} to {analysis.pre_period[1]}"
        if analysis.pre_period
        else "no CUPED"
    )
    capped = (
        "winsorised per unit: " + ", ".join(c.describe() for c in analysis.caps)
        if analysis.caps
        else "no winsorisation"
    )
    lines += [
        f"- Method: Welch / delta-method tests on per-arm sufficient statistics, {cuped}; "
        f"{analysis.correction} correction within each family (primary arms; secondary "
        "metrics); guardrails as non-inferiority tests with their margins, adjusted across "
        f"guardrails; alpha {analysis.alpha:g}.",
        f"- Outliers: {capped}.",
        "",
    ]
    if meta.attributes.get("hypothesis"):
        lines += [f"> {meta.attributes['hypothesis']}", ""]
    lines += [
        "## Results",
        "",
        "| metric | role | arm | control | treatment | effect | CI | p | p adj. "
        "| margin | MDE | CUPED var. red. |",
        "|---|---|---|---:|---:|---:|---|---:|---:|---|---:|---:|",
    ]
    for m in analysis.metrics:
        lines.append(_result_row(m, analysis.alpha))
    lines += [
        "",
        "Treatment values marked * are CUPED-adjusted (control + adjusted effect), so they "
        "agree with the effect beside them; CIs are at the level the family's adjustment "
        "implies (95% when unadjusted); guardrails have no adjusted p: their margin decides.",
        "",
    ]
    for image in images:
        lines += [f"![{image.stem}]({image.name})", ""]
    if analysis.segments:
        lines += [
            "## Segments",
            "",
            "Per segment, unadjusted (descriptive only).",
            "",
            "| segment | metric | arm | effect | 95% CI | p |",
            "|---|---|---|---:|---|---:|",
        ]
        for seg in analysis.segments:
            name = ", ".join(f"{k}={v}" for k, v in seg.values.items())
            if seg.skipped:
                lines.append(f"| {name} | — | — | skipped: {seg.skipped} | | |")
            for m in seg.metrics:
                e = m.estimate
                lines.append(
                    f"| {name} | {m.metric} | {m.variant} | {format_pct(e.rel_effect)} | "
                    f"[{format_pct(e.rel_ci_low)}, {format_pct(e.rel_ci_high)}] | "
                    f"{format_p(e.p_value)} |"
                )
        lines.append("")
    lines += ["## Related documents", ""]
    if related:
        lines += [
            f"- [{d.title or d.path}]({d.path})" + (f" ({d.doc_type})" if d.doc_type else "")
            for d in related
        ]
    if related_note:
        lines.append(f"_{related_note}._")
    lines.append("")
    if analysis.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in analysis.notes] + [""]
    if analysis.sql:
        lines += [
            "## Appendix: the SQL behind these numbers",
            "",
            "The validated statements the analysis ran (`lablens experiment sql "
            f"{meta.experiment_id}` shows them commented, in any dialect).",
            "",
        ]
        for sql in analysis.sql:
            lines += ["```sql", _pretty(sql), "```", ""]
    return "\n".join(front + lines)


def _pretty(sql: str) -> str:
    import sqlglot

    try:
        return sqlglot.parse_one(sql, read="duckdb").sql(dialect="duckdb", pretty=True)
    except sqlglot.errors.ParseError:
        return sql


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _result_row(m: MetricResult, alpha: float = 0.05) -> str:
    e = m.estimate
    treatment = format_number(e.treatment_mean)
    if m.treatment_adjusted is not None:
        treatment = f"{format_number(m.treatment_adjusted)}*"
    if not e.testable:
        return (
            f"| {m.metric} | {m.role} | {m.variant} | {format_number(e.control_mean)} | "
            f"{treatment} | not testable | {_cell(e.not_testable or '')} | — | — | | n/a | — |"
        )
    vr = "—" if e.variance_reduction is None else f"{e.variance_reduction:.0%}"
    star = " ✓" if m.significant else ""
    lo, hi = m.decision_ci or (e.rel_ci_low, e.rel_ci_high)
    level = (
        "" if m.ci_level is None or abs(m.ci_level - (1 - alpha)) < 1e-12 else f" {m.ci_level:.1%}"
    )
    margin = ""
    if m.role == "guardrail" and m.margin is not None:
        margin = f"{'within' if m.non_inferior else 'not shown within'} {m.margin:.1%}"
    p_adj = "—" if m.role == "guardrail" else format_p(m.p_adjusted)
    return (
        f"| {m.metric} | {m.role} | {m.variant} | {format_number(e.control_mean)} | "
        f"{treatment} | {format_pct(e.rel_effect)}{star} | "
        f"[{format_pct(lo)}, {format_pct(hi)}]{level} | {format_p(e.p_value)} | "
        f"{p_adj} | {margin} | {'n/a' if math.isnan(e.mde) else f'±{e.mde:.1%}'} | {vr} |"
    )


def verdict_metrics(analysis: ExperimentAnalysis) -> list[str]:
    """The primary, the guardrails, and every metric a reason of the verdict names."""
    names = [m.metric for m in analysis.metrics if m.role != "secondary"]
    reasons = " ".join(analysis.verdict.reasons)
    names += [
        m.metric for m in analysis.metrics if re.search(rf"\b{re.escape(m.metric)}\b", reasons)
    ]
    return list(dict.fromkeys(names))


def plot_daily(daily: DailySeries, path: Path, *, title: str) -> Path:
    """One panel per metric: its daily value per arm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(daily)
    fig, axes = plt.subplots(
        len(names), 1, figsize=(8, 2.6 * len(names)), squeeze=False, sharex=True
    )
    for ax, name in zip(axes[:, 0], names, strict=True):
        for arm, points in daily[name].items():
            ax.plot([d for d, _ in points], [v for _, v in points], marker=".", label=arm)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0, 0].set_title(title)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_forest(metrics: Sequence[MetricResult], path: Path, *, title: str) -> Path:
    """Relative effect and confidence interval of every metric × arm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [m for m in metrics if not math.isnan(m.estimate.rel_effect)]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.5))
    for y, m in enumerate(reversed(rows)):
        e = m.estimate
        colour = "tab:gray"
        if m.significant:
            good = (e.abs_effect > 0) == m.higher_is_better
            colour = "tab:green" if good else "tab:red"
        ax.errorbar(
            [e.rel_effect * 100],
            [y],
            xerr=[[(e.rel_effect - e.rel_ci_low) * 100], [(e.rel_ci_high - e.rel_effect) * 100]],
            fmt="o",
            color=colour,
            capsize=3,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{m.metric} ({m.role}, {m.variant})" for m in reversed(rows)], fontsize=8)
    ax.set_xlabel("relative effect vs control, % (95% CI)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(
    analysis: ExperimentAnalysis,
    path: Path,
    *,
    catalog: Catalog,
    warehouse: Warehouse,
    search: DocSearch | None,
    docs_root: Path | None = None,
    today: date | None = None,
) -> ReportFiles:
    """Write the Markdown report at `path` and its PNG plots next to it.

    `search` finds related documents (see `related_docs.index_search`); their paths are
    relative to `docs_root` and are rewritten so links work from the report's folder.
    """
    from tools.experiments.collect import scoped_window
    from tools.experiments.daily import fetch_daily

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("")
    primary = catalog.metric(analysis.verdict.primary_metric)
    images: list[Path] = []
    if primary is not None:
        focus = [catalog.metric(name) for name in verdict_metrics(analysis)]
        metrics = list(
            {
                m.name: m
                for m in focus
                if m is not None and m.table.lower() == primary.table.lower()
            }.values()
        )
        window = scoped_window(catalog, analysis.meta.window(0), primary.table)
        daily = fetch_daily(catalog, warehouse, window, metrics)
        images.append(
            plot_daily(
                daily,
                Path(f"{stem}-daily.png"),
                title=f"{analysis.meta.experiment_id}: daily value by arm",
            )
        )
    images.append(
        plot_forest(
            analysis.metrics,
            Path(f"{stem}-effects.png"),
            title=f"{analysis.meta.experiment_id}: effects vs control",
        )
    )
    related, note = find_related(analysis, search)
    if docs_root is not None:  # index paths are workspace-relative; links must work from here
        root = Path(docs_root).resolve()
        related = [
            replace(d, path=os.path.relpath(root / d.path, path.parent.resolve()))
            if (root / d.path).is_file()
            else d
            for d in related
        ]
    text = render_markdown(
        analysis, images=images, related=related, related_note=note, today=today or date.today()
    )
    path.write_text(text, encoding="utf-8")
    return ReportFiles(markdown=path, images=images, related=related, related_note=note)
