"""`lablens demo`: build the Pinlab demo workspace."""

from __future__ import annotations

import argparse

from agent.cli_args import add_common_flags


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="build the Pinlab demo workspace (warehouse, catalog, docs, index)",
        description="Generate the Pinlab demo: a DuckDB warehouse with planted experiments, "
        "its catalog, design docs and experiment reports, and their search index.",
    )
    add_common_flags(p)
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="data size multiplier (1.0 = 80k users, ~3.7M engagement rows)",
    )
    p.add_argument("--seed", type=int, default=7, help="random seed; same seed, same data")
    p.add_argument("--no-index", action="store_true", help="skip indexing the docs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from agent.demo.build import build_demo_workspace
    from agent.output import console, emit_json
    from tools.errors import InputError

    if not 0 < args.scale <= 100:
        raise InputError(f"--scale must be in (0, 100], got {args.scale}")
    root = Path(args.workspace or "pinlab-demo").expanduser().resolve()
    out = console(stderr=True)
    with out.status("building the demo workspace…") as status:
        summary = build_demo_workspace(
            root,
            scale=args.scale,
            seed=args.seed,
            index=not args.no_index,
            progress=lambda msg: status.update(msg) if not args.json else None,
        )
    if args.json:
        emit_json(summary.to_dict())
        return 0
    c = console()
    c.print(f"[bold green]Demo workspace ready:[/] {root}")
    for table, n in summary.row_counts.items():
        c.print(f"  {table:<24} {n:>12,} rows")
    c.print(
        f"  {summary.documents} docs and reports"
        + (" indexed" if summary.index is not None else " (not indexed)")
    )
    return 0
