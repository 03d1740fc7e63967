"""`lablens catalog show [TABLE]`: what the warehouse holds, as the catalog describes it."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli_args import add_common_flags


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("catalog", help="inspect the catalog")
    csub = p.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", required=True)
    show = csub.add_parser("show", help="list tables, or one table's columns, and metrics")
    add_common_flags(show)
    show.add_argument("table", nargs="?", help="a table to show in detail")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    import difflib

    from agent.output import emit_json
    from agent.workspace import Workspace
    from tools.errors import CatalogError
    from tools.strict_records import to_plain

    catalog = Workspace.open(args.workspace).catalog
    tables = catalog.tables
    if args.table:
        table = catalog.table(args.table)
        if table is None:
            close = difflib.get_close_matches(args.table, catalog.table_names, n=3)
            raise CatalogError(
                f"No table {args.table!r} in the catalog.",
                hint=f"Did you mean {', '.join(close)}?"
                if close
                else f"Tables: {', '.join(catalog.table_names)}",
            )
        tables = [table]
    if args.json:
        data = {
            "catalog": catalog.name,
            "dialect": catalog.dialect,
            "tables": [to_plain(t) for t in tables],
        }
        if not args.table:
            data["metrics"] = [to_plain(m) for m in catalog.metrics]
            data["join_keys"] = [to_plain(j) for j in catalog.join_keys]
        emit_json(data)
        return 0
    _print_tables(tables, detailed=bool(args.table))
    if not args.table:
        _print_metrics(catalog.metrics)
    return 0


def _print_tables(tables: list[Any], *, detailed: bool) -> None:
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


def _print_metrics(metrics: list[Any]) -> None:
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
