"""`lablens history [QUERY]`: earlier questions and answers, newest first, searchable (FTS5)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from agent.cli_args import add_common_flags

    p: argparse.ArgumentParser = sub.add_parser(
        "history", help="search earlier questions and answers of `lablens ask`"
    )
    add_common_flags(p)
    p.add_argument("query", nargs="?", help="words to look for (default: the latest exchanges)")
    p.add_argument("-n", type=int, default=20, metavar="N", help="how many (default 20)")
    p.set_defaults(func=run_history)


def run_history(args: argparse.Namespace) -> int:
    from agent.assistant.history import History
    from agent.workspace import Workspace
    from tools.errors import InputError

    if args.n < 1:
        raise InputError("-n must be at least 1")
    ws = Workspace.open(args.workspace)
    found = History.in_state_dir(ws.state_dir).search(args.query, limit=args.n)
    if args.json:
        from agent.output import emit_json

        emit_json({"query": args.query, "exchanges": [e.to_dict() for e in found]})
        return 0
    if not found:
        print("No matching questions in the history." if args.query else "No history yet.")
        return 0
    for e in found:
        first = e.answer.strip().splitlines()[0] if e.answer.strip() else ""
        print(f"#{e.id} {e.ts} [{e.mode}] {e.question}")
        print(f"    {first[:160]}")
    return 0
