"""`lablens experiment effects METRIC`: one metric across every experiment.

The one-shot form of "which experiments improved saves?" in `ask` and `chat`: the same
function (`compare_experiments`), so the command and the assistant's tool cannot drift.
"""

from __future__ import annotations

import argparse


def run_effects(args: argparse.Namespace) -> int:
    """Every experiment's own analysis of the metric (the `summarize` defaults), grouped as
    improved, regressed, no significant change, not trustworthy or not analysed."""
    from agent.assistant.tools.experiments import list_experiments
    from agent.assistant.tools.metric_effects import GROUPS, compare_experiments
    from agent.output import console, emit_json
    from agent.workspace import Workspace
    from tools.experiments.result_cache import FOLDER
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(args.workspace)
    warehouse = open_warehouse(ws.settings.warehouse, ws.root)
    with warehouse:
        ids = list_experiments(ws.catalog, warehouse).ids
        result = compare_experiments(
            ws.catalog, warehouse, args.metric, ids, cache_dir=ws.state_dir / FOLDER
        )
    if args.json:
        emit_json(result.to_dict())
        return 0
    from rich.markup import escape
    from rich.table import Table

    c = console()
    c.print(
        f"[bold]{', '.join(result.metrics)}[/] in {len(result.experiments)} experiment(s), each "
        "read by its own analysis; windows and populations differ, so the effects are not "
        "directly comparable."
    )
    for group in GROUPS:
        members = result.in_group(group)
        if members:
            c.print(f"  [bold]{group}:[/] " + ", ".join(e.experiment_id for e in members))
    columns, rows = result.table()
    grid = Table()
    for column in columns:  # "effect [interval]" is not Rich markup
        grid.add_column(escape(column), no_wrap=column in ("experiment", "metric", "arm"))
    for row in rows:
        grid.add_row(*[escape(str(v)) for v in row])
    if rows:
        c.print(grid)
    for e in result.experiments:
        if e.error:
            c.print(f"[dim]not analysed: {e.experiment_id}: {escape(e.error)}[/]")
    return 0
