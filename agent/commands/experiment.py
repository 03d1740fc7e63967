"""`lablens experiment list|summarize|sql|effects`: experiments, their effects, a verdict, the
SQL, and one metric across every experiment."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from agent.cli_args import add_common_flags
from agent.commands._experiment_effects import run_effects
from tools.experiments.formatting import format_p, format_pct

if TYPE_CHECKING:
    from agent.workspace import Workspace
    from tools.experiments.report import ReportFiles
    from tools.experiments.results import ExperimentAnalysis
    from tools.warehouse.protocol import Warehouse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "experiment", help="list and summarize experiments (effects, CIs, verdict)"
    )
    esub = p.add_subparsers(dest="experiment_command", metavar="SUBCOMMAND", required=True)
    ls = esub.add_parser("list", help="experiments with dates, status, primary metric, units")
    add_common_flags(ls)
    ls.set_defaults(func=run_list)
    sm = esub.add_parser("summarize", help="effects, confidence intervals, SRM and verdict")
    add_common_flags(sm)
    sm.add_argument("experiment_id", metavar="ID", help="the experiment id")
    sm.add_argument(
        "--report", metavar="FILE.md", help="also write a Markdown report with PNG plots next to it"
    )
    sm.add_argument(
        "--segments",
        metavar="COLS",
        help="comma-separated unit attributes to break effects down by, e.g. country,platform",
    )
    _add_adjustment_flags(sm)
    sm.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    sm.add_argument(
        "--correction",
        choices=("holm", "bh", "none"),
        default="holm",
        help="multiple-testing correction within each family: primary arms, secondary "
        "metrics, guardrails (holm)",
    )
    sm.add_argument(
        "--no-cache",
        action="store_true",
        help="recompute the statistics even if the warehouse file is unchanged since the last "
        "run (results are cached in .lablens/experiment-cache/)",
    )
    sm.add_argument(
        "--daily",
        action="store_true",
        help="with --json: add `daily`, the verdict's metrics by arm and day (two more queries)",
    )
    sm.set_defaults(func=run_summarize)
    sq = esub.add_parser(
        "sql",
        help="the validated SQL an analysis runs: readable, commented, in any dialect",
    )
    add_common_flags(sq)
    sq.add_argument("experiment_id", metavar="ID", help="the experiment id")
    sq.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="M",
        help="only these metrics (repeatable; default: every metric the analysis reads)",
    )
    sq.add_argument(
        "--dialect",
        default=None,
        metavar="D",
        help="duckdb, postgres, trino, spark, bigquery or snowflake (default: the warehouse's)",
    )
    sq.add_argument(
        "--level",
        choices=("arms", "units", "daily"),
        default="arms",
        help="arms: the per-arm sums the analysis runs; units: one row per unit and metric; "
        "daily: per-arm sums per day",
    )
    _add_adjustment_flags(sq)
    sq.set_defaults(func=run_sql)
    ef = esub.add_parser(
        "effects",
        help="one metric across every experiment: each analysis' effect, grouped by outcome",
    )
    add_common_flags(ef)
    ef.add_argument(
        "metric",
        metavar="METRIC",
        help="catalog metric names (comma-separated) or words naming them, e.g. saves",
    )
    ef.set_defaults(func=run_effects)


def _add_adjustment_flags(p: argparse.ArgumentParser) -> None:
    """CUPED and winsorisation switches: `summarize` and `sql` must mean the same by them."""
    p.add_argument(
        "--no-cuped",
        action="store_true",
        help="do not adjust with the pre-period (CUPED is on by default)",
    )
    p.add_argument(
        "--no-cap",
        action="store_true",
        help="do not winsorise mean metrics (capping at a percentile is on by default)",
    )
    p.add_argument(
        "--cap-level",
        type=float,
        default=0.99,
        metavar="P",
        help="winsorisation percentile of the pooled per-unit values (0.99)",
    )


def _open(args: argparse.Namespace) -> tuple[Workspace, Warehouse]:
    from agent.workspace import Workspace
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(args.workspace)
    return ws, open_warehouse(ws.settings.warehouse, ws.root)


def run_list(args: argparse.Namespace) -> int:
    from agent.assistant.tools.experiments import list_experiments
    from agent.output import console, emit_json

    # The name is long: it goes to --json; the table keeps one line per experiment.
    ws, warehouse = _open(args)
    with warehouse:
        result = list_experiments(ws.catalog, warehouse)
    data = [dict(e) for e in result.experiments]
    if args.json:
        emit_json(result.to_dict())
        return 0
    from rich.table import Table

    grid = Table(title="[bold]experiments[/]", title_justify="left")
    keys = [k for k in data[0] if k not in ("guardrail_metrics", "name")] if data else []
    for key in keys:
        grid.add_column(
            key.replace("experiment_id", "id").replace("primary_metric", "primary"),
            justify="right" if key == "units" else "left",
            no_wrap=True,
        )
    for row in data:
        grid.add_row(*[f"{row[k]:,}" if k == "units" else str(row[k] or "") for k in keys])
    console().print(grid if data else "[dim]No experiments in the warehouse.[/]")
    return 0


def run_summarize(args: argparse.Namespace) -> int:
    from tools.experiments.early_start import start_unless_cached
    from tools.experiments.result_cache import FOLDER

    segments = [s.strip() for s in (args.segments or "").split(",") if s.strip()]
    ws, warehouse = _open(args)
    cache_dir = None if args.no_cache else ws.state_dir / FOLDER
    # Before the analysis' imports (sqlglot, the statistics): the worker starts meanwhile.
    start_unless_cached(warehouse, cache_dir, args.experiment_id)
    from agent.output import emit_json
    from tools.experiments.analyze import analyze_experiment

    with warehouse:
        analysis = analyze_experiment(
            ws.catalog,
            warehouse,
            args.experiment_id,
            cuped=not args.no_cuped,
            segments=segments,
            alpha=args.alpha,
            correction=args.correction,
            cache_dir=cache_dir,
            cap=not args.no_cap,
            cap_level=args.cap_level,
        )
        files = None
        if args.report:
            from pathlib import Path

            from tools.experiments.related_docs import index_search
            from tools.experiments.report import write_report

            files = write_report(
                analysis,
                Path(args.report),
                catalog=ws.catalog,
                warehouse=warehouse,
                search=index_search(ws.state_dir),
                docs_root=ws.root,
            )
        daily = None
        if args.daily and args.json:
            from tools.experiments.daily import verdict_daily

            daily = verdict_daily(ws.catalog, warehouse, analysis)
    if args.json:
        from agent.assistant.tools.experiments import ExperimentSummaryResult

        emit_json(ExperimentSummaryResult(analysis, daily, files).to_dict())
        return 0
    _print_summary(analysis, files)
    return 0


def run_sql(args: argparse.Namespace) -> int:
    from agent.output import console, emit_json
    from tools.experiments.analysis_sql import experiment_sql_for
    from tools.experiments.result_cache import FOLDER

    ws, warehouse = _open(args)
    with warehouse:
        result = experiment_sql_for(
            ws.catalog,
            warehouse,
            args.experiment_id,
            dialect=args.dialect,
            cache_dir=ws.state_dir / FOLDER,
            metrics=args.metric,
            level=args.level,
            cuped=not args.no_cuped,
            cap=not args.no_cap,
            cap_level=args.cap_level,
        )
    if args.json:
        emit_json(result.to_dict())
        return 0
    from rich.syntax import Syntax

    c = console()
    for statement in result.statements:
        c.print(Syntax(statement.sql + ";", "sql", word_wrap=True))
        c.print()
    for note in result.notes:
        c.print(f"[dim]note: {note}[/]")
    c.print("[bold]How the sums become the estimate[/]")
    for formula in result.formulas:
        c.print(f"  • {formula}")
    return 0


VERDICT_STYLE = {
    "ship": "bold green",
    "no_ship": "bold red",
    "invalid": "bold red",
    "tradeoff": "bold yellow",
    "inconclusive": "bold",
}


HEALTH_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def _print_summary(analysis: ExperimentAnalysis, files: ReportFiles | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    from agent.output import console
    from tools.experiments.formatting import format_number

    c = console()
    meta = analysis.meta
    c.print(
        f"[bold]{escape(meta.experiment_id)}[/] {escape(meta.name or '')}  "
        f"[dim]{meta.start} → {meta.end}"
        + "".join(f", {k}={v}" for k, v in meta.scope.items())
        + "[/]"
    )
    # Health first: a failed check means the numbers below cannot be trusted.
    for h in analysis.health:
        if h.status != "ok" or h.check in ("srm", "outlier_cap"):
            style = HEALTH_STYLE.get(h.status, "")
            c.print(f"[{style}]health {h.status}[/] {escape(h.check)}: {escape(h.detail)}")
    ok = sum(1 for h in analysis.health if h.status == "ok")
    c.print(f"[dim]{ok} of {len(analysis.health)} health checks ok[/]")
    c.print("arms: " + ", ".join(f"{a} {n:,}" for a, n in analysis.arms.items()))
    grid = Table(title_justify="left", show_lines=False)
    for name, justify in (
        ("metric", "left"),
        ("role", "left"),
        ("arm", "left"),
        ("control", "right"),
        ("treatment", "right"),
        ("effect", "right"),
        (f"{1 - analysis.alpha:.0%} CI", "left"),
        ("p adj.", "right"),
        ("margin", "left"),
    ):
        grid.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    cuped_rows = False
    for m in analysis.metrics:
        e = m.estimate
        treatment = format_number(e.treatment_mean)
        if m.treatment_adjusted is not None:
            treatment = f"{format_number(m.treatment_adjusted)}*"
            cuped_rows = True
        if not e.testable:
            grid.add_row(
                m.metric,
                m.role,
                m.variant,
                format_number(e.control_mean),
                treatment,
                "[yellow]not testable[/]",
                escape(e.not_testable or ""),
                "—",
                "",
            )
            continue
        effect = format_pct(e.rel_effect) if e.rel_effect == e.rel_effect else "n/a"
        if m.significant:
            good = (e.abs_effect > 0) == m.higher_is_better
            effect = f"[{'green' if good else 'red'}]{effect}[/]"
        lo, hi = m.decision_ci or (e.rel_ci_low, e.rel_ci_high)
        interval = f"[{format_pct(lo)}, {format_pct(hi)}]"
        if m.ci_level is not None and abs(m.ci_level - (1 - analysis.alpha)) > 1e-12:
            interval += f" {m.ci_level:.1%}"
        margin = ""
        if m.role == "guardrail":
            # Guardrails are non-inferiority tests: the margin decides, not an adjusted p.
            p_text = "—"
            if m.margin is not None:
                mark = "within" if m.non_inferior else "[yellow]not shown within[/]"
                margin = f"{mark} {m.margin:.1%}"
        else:
            p_text = format_p(m.p_adjusted if m.p_adjusted is not None else e.p_value)
        grid.add_row(
            m.metric,
            m.role,
            m.variant,
            format_number(e.control_mean),
            treatment,
            effect,
            escape(interval),
            p_text,
            margin,
        )
    c.print(grid)
    if cuped_rows:
        c.print(
            "[dim]* CUPED-adjusted treatment value (control + adjusted effect); raw means "
            "are in --json[/]"
        )
    if analysis.caps:
        c.print(
            "[dim]capped per unit: "
            + escape(", ".join(x.describe() for x in analysis.caps))
            + "[/]"
        )
    if analysis.segments:
        seg = Table(title="segments (unadjusted, descriptive)", title_justify="left")
        for name in ("segment", "metric", "arm", "effect", "95% CI", "p"):
            seg.add_column(name)
        for s in analysis.segments:
            label = ", ".join(f"{k}={v}" for k, v in s.values.items())
            if s.skipped:
                seg.add_row(label, "—", "—", f"skipped: {s.skipped}", "", "")
            for m in s.metrics:
                e = m.estimate
                if not e.testable:
                    seg.add_row(label, m.metric, m.variant, "not testable", "", "—")
                    continue
                seg.add_row(
                    label,
                    m.metric,
                    m.variant,
                    format_pct(e.rel_effect),
                    f"[{format_pct(e.rel_ci_low)}, {format_pct(e.rel_ci_high)}]",
                    format_p(e.p_value),
                )
        c.print(seg)
    verdict = analysis.verdict
    c.print(f"verdict: [{VERDICT_STYLE.get(verdict.verdict, 'bold')}]{verdict.verdict}[/]")
    for reason in verdict.reasons:
        c.print(f"  • {escape(reason)}")
    for note in analysis.notes:
        c.print(f"[dim]note: {escape(note)}[/]")
    if files is not None:
        c.print(f"report: {files.markdown} ({len(files.images)} plots)")
        if files.related_note:
            c.print(f"[dim]{escape(files.related_note)}[/]")
