"""Printing results for people (rich) and for scripts (`--json`)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

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


def emit_json(data: Any) -> None:
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
