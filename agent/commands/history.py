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
    from agent.assistant.history import History, HistoryMatches
    from agent.workspace import Workspace
    from tools.errors import InputError

    if args.n < 1:
        raise InputError("-n must be at least 1")
    ws = Workspace.open(args.workspace)
    found = History.in_state_dir(ws.state_dir).search(args.query, limit=args.n)
    matches = HistoryMatches(args.query, tuple(found))
    if args.json:
        from agent.output import emit_json

        emit_json(matches.to_dict())
        return 0
    print(matches.to_text())
    return 0
