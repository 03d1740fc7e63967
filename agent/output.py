"""Printing results for people (rich) and for scripts (`--json`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from tools.errors import LablensError


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Off a terminal (pipes, logs, CI) rich assumes 80 columns and truncates table cells;
    # a wide canvas keeps every figure whole.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


# Rows printed in a terminal; --csv and --json carry every fetched row.
SHOWN_ROWS = 50


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def print_error(exc: LablensError, *, as_json: bool = False) -> None:
    if as_json:
        sys.stdout.write(json.dumps(exc.to_dict(), ensure_ascii=False) + "\n")
    if not sys.stderr.isatty():
        # Logs and pipes get plain lines that grep and tests can read whole.
        hint = f"\n  hint: {exc.hint}" if exc.hint else ""
        sys.stderr.write(f"error: {exc.title}: {exc.message}{hint}\n")
        return
    from rich.markup import escape
    from rich.panel import Panel

    body = escape(exc.message)
    if exc.hint:
        body += f"\n[dim]hint:[/dim] {escape(exc.hint)}"
    console(stderr=True).print(
        Panel(body, title=f"[bold red]{escape(exc.title)}", expand=False, border_style="red")
    )


def print_bug(exc: BaseException) -> None:
    console(stderr=True).print(
        f"[bold red]Unexpected error:[/] {type(exc).__name__}: {exc}\n"
        "[dim]This is a bug in lablens. Re-run with --debug for the traceback.[/dim]"
    )


def print_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    row_count: int,
    truncated: bool = False,
    elapsed_ms: float | None = None,
    csv_path: str | None = None,
    shown: int = SHOWN_ROWS,
) -> None:
    """The one results table: the first `shown` rows, NULLs dimmed, then what was left out."""
    from rich.markup import escape
    from rich.table import Table

    c = console()
    table = Table(show_lines=False, expand=False)
    for name in columns:
        table.add_column(escape(str(name)))
    for row in rows[:shown]:
        table.add_row(*("[dim]NULL[/]" if v is None else escape(str(v)) for v in row))
    c.print(table)
    printed = min(len(rows), shown)
    note = f"{row_count} row(s)"
    if printed < row_count:
        note += f", first {printed} shown"
    if truncated:
        note += f"; cut at the row cap ({row_count})"
    if csv_path:
        note += f"; written to {csv_path}"
    if elapsed_ms is not None:
        note += f" in {elapsed_ms:.0f} ms"
    c.print(f"[dim]{escape(note)}[/]")
