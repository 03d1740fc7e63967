"""`lablens tour`: a short guided list of what to try on a workspace."""

from __future__ import annotations

import argparse

from agent.cli_args import add_common_flags

# (command module that must exist, what it shows, example arguments)
STEPS: tuple[tuple[str, str, str], ...] = (
    ("catalog", "what the warehouse holds: tables, columns, metrics", "catalog show"),
    ("catalog", "one table in detail, with value lists", "catalog show engagement_daily"),
    (
        "search",
        "search the design docs and experiment reports, with citations",
        'search "how does the homefeed L1 ranker pick candidates"',
    ),
    (
        "validate",
        "check SQL before it runs (this one is refused: it writes)",
        'validate "DELETE FROM users"',
    ),
    (
        "sql",
        "run validated, read-only SQL",
        'sql --raw "SELECT surface, SUM(saves) AS saves FROM engagement_daily '
        "WHERE dt >= DATE '2026-10-01' GROUP BY surface\"",
    ),
    (
        "sql",
        "ask a question; lablens writes the SQL, validates it and runs it",
        'sql "daily saves per user on search by country, last 14 days"',
    ),
    ("experiment", "list experiments", "experiment list"),
    (
        "experiment",
        "summarize an experiment: SRM, effects with CIs, verdict",
        "experiment summarize hf_l1_ranker_v2",
    ),
    (
        "experiment",
        "one metric across every experiment, grouped by what each analysis says",
        "experiment effects saves",
    ),
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser("tour", help="show what to try on a workspace")
    add_common_flags(p)
    p.set_defaults(func=run)


def _program_name() -> str:
    """`lablens` when that is on PATH, else the path that ran us (e.g. `.venv/bin/lablens`)."""
    import os
    import shutil
    import sys

    here = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    on_path = shutil.which("lablens")
    if not here.endswith("lablens") or (on_path and os.path.realpath(on_path) == here):
        return "lablens"
    relative = os.path.relpath(sys.argv[0])
    return relative if not relative.startswith("..") else sys.argv[0]


def run(args: argparse.Namespace) -> int:
    import shlex

    from agent.commands import COMMAND_MODULES
    from agent.output import console, emit_json

    ws = f" --workspace {shlex.quote(args.workspace)}" if args.workspace else ""
    program = _program_name()
    steps = [
        (what, f"{program} {example}{ws}")
        for module, what, example in STEPS
        if module in COMMAND_MODULES
    ]
    if args.json:
        emit_json([{"what": w, "command": c} for w, c in steps])
        return 0
    c = console()
    c.print("[bold]lablens — a short tour[/]  (add --json to any command for scripts)\n")
    for what, command in steps:
        c.print(f"[dim]# {what}[/]")
        c.print(f"  [cyan]{command}[/]", soft_wrap=True)
    return 0
