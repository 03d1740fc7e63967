"""`lablens catalog show [TABLE]`: what the warehouse holds, as the catalog describes it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from agent.cli_args import add_common_flags

if TYPE_CHECKING:
    from tools.catalog.model import Metric, Table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser("catalog", help="inspect the catalog")
    csub = p.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", required=True)
    show = csub.add_parser("show", help="list tables, or one table's columns, and metrics")
    add_common_flags(show)
    show.add_argument("table", nargs="?", help="a table to show in detail")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    """argparse → the agent's describe-catalog tool → a renderer (one result shape for both)."""
    from agent.assistant.tools.catalog import describe_catalog
    from agent.output import emit_json
    from agent.workspace import Workspace

    result = describe_catalog(Workspace.open(args.workspace).catalog, args.table)
    if args.json:
        emit_json(result.to_dict())
        return 0
    _print_tables(list(result.tables), detailed=result.one_table)
    if not result.one_table:
        _print_metrics(list(result.catalog.metrics))
    return 0


def _print_tables(tables: list[Table], *, detailed: bool) -> None:
    from rich.table import Table as RichTable

    from agent.output import console

    c = console()
    for t in tables:
        title = f"[bold]{t.name}[/]" + (
            f"  [dim]partition: {t.partition_column}[/]" if t.require_partition_filter else ""
        )
        grid = RichTable(title=title, title_justify="left", show_lines=False, expand=False)
        grid.add_column("column")
        grid.add_column("type", style="cyan")
        grid.add_column("description")
        if detailed:
            grid.add_column("values / synonyms", style="dim")
        for col in t.columns:
            row = [col.name, col.type, col.description]
            if detailed:
                extra = ", ".join(col.values or []) or ", ".join(col.synonyms)
                row.append(extra)
            grid.add_row(*row)
        if t.description:
            c.print(f"[dim]{t.description}[/]")
        c.print(grid)


def _print_metrics(metrics: list[Metric]) -> None:
    if not metrics:
        return
    from rich.table import Table as RichTable

    from agent.output import console

    grid = RichTable(title="[bold]metrics[/]", title_justify="left")
    for name in ("metric", "kind", "definition", "description"):
        grid.add_column(name)
    for m in metrics:
        definition = m.numerator + (f" / {m.denominator}" if m.denominator else "")
        grid.add_row(m.name, m.kind.value, f"{definition} per {m.unit}", m.description)
    console().print(grid)
