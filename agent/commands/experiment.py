"""`lablens experiment list|summarize`: experiments, their effects and a verdict."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli_args import add_common_flags
from tools.experiments.formatting import format_p, format_pct


def register(sub: Any) -> None:
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
    sm.add_argument(
        "--no-cuped",
        action="store_true",
        help="do not adjust with the pre-period (CUPED is on by default)",
    )
    sm.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    sm.add_argument(
        "--correction",
        choices=("holm", "bh", "none"),
        default="holm",
        help="multiple-testing correction over primary+secondary (holm)",
    )
    sm.add_argument(
        "--no-cache",
        action="store_true",
        help="recompute the statistics even if the warehouse file is unchanged since the last "
        "run (results are cached in .lablens/experiment-cache/)",
    )
    sm.set_defaults(func=run_summarize)


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
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
    from agent.output import emit_json
    from tools.experiments.analyze import analyze_experiment
    from tools.experiments.result_cache import FOLDER

    segments = [s.strip() for s in (args.segments or "").split(",") if s.strip()]
    ws, warehouse = _open(args)
    with warehouse:
        analysis = analyze_experiment(
            ws.catalog,
            warehouse,
            args.experiment_id,
            cuped=not args.no_cuped,
            segments=segments,
            alpha=args.alpha,
            correction=args.correction,
            cache_dir=None if args.no_cache else ws.state_dir / FOLDER,
        )
        files = None
        if args.report:
            from pathlib import Path

            from tools.experiments.report import write_report

            files = write_report(
                analysis,
                Path(args.report),
                catalog=ws.catalog,
                warehouse=warehouse,
                state_dir=ws.root / ".lablens",
            )
    if args.json:
        data = analysis.to_dict()
        if files is not None:
            data["report"] = files.to_dict()
        emit_json(data)
        return 0
    _print_summary(analysis, files)
    return 0


VERDICT_STYLE = {
    "ship": "bold green",
    "no_ship": "bold red",
    "invalid": "bold red",
    "tradeoff": "bold yellow",
    "inconclusive": "bold",
}


def _print_summary(analysis: Any, files: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from agent.output import console

    c = console()
    meta = analysis.meta
    c.print(
        f"[bold]{escape(meta.experiment_id)}[/] {escape(meta.name or '')}  "
        f"[dim]{meta.start} → {meta.end}"
        + "".join(f", {k}={v}" for k, v in meta.scope.items())
        + "[/]"
    )
    c.print("arms: " + ", ".join(f"{a} {n:,}" for a, n in analysis.arms.items()))
    if analysis.srm is not None:
        style = "red" if analysis.srm.flagged else "green"
        c.print(f"[{style}]{escape(analysis.srm.describe())}[/]")
    # Means, MDE and CUPED details are in --json and --report; the terminal keeps the essentials.
    grid = Table(title_justify="left", show_lines=False)
    grid.add_column("metric", no_wrap=True)
    grid.add_column("role", no_wrap=True)
    grid.add_column("arm", no_wrap=True)
    grid.add_column("effect", justify="right", no_wrap=True)
    grid.add_column("95% CI", no_wrap=True)
    grid.add_column("p adj.", justify="right", no_wrap=True)
    for m in analysis.metrics:
        e = m.estimate
        effect = format_pct(e.rel_effect)
        if m.significant:
            good = (e.abs_effect > 0) == m.higher_is_better
            effect = f"[{'green' if good else 'red'}]{effect}[/]"
        p = m.p_adjusted if m.p_adjusted is not None else e.p_value
        grid.add_row(
            m.metric,
            m.role,
            m.variant,
            effect,
            f"[{format_pct(e.rel_ci_low)}, {format_pct(e.rel_ci_high)}]",
            format_p(p),
        )
    c.print(grid)
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
