"""`lablens chat`: the Textual chat UI on a workspace (imports Textual only when run)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from agent.cli_args import add_common_flags

    p: argparse.ArgumentParser = sub.add_parser(
        "chat",
        help="the chat UI: docs, SQL results and experiments in one conversation",
        description="A terminal chat over the workspace. Enter sends, Ctrl+J adds a line, "
        "Escape cancels a running answer (and its query), F1 shows every key.",
    )
    add_common_flags(p, json_flag=False)
    llm = p.add_mutually_exclusive_group()
    llm.add_argument(
        "--llm",
        dest="use_llm",
        action="store_const",
        const=True,
        default=None,
        help="use the configured language model",
    )
    llm.add_argument(
        "--no-llm",
        dest="use_llm",
        action="store_const",
        const=False,
        help="answer offline only (the default when no model is configured)",
    )
    p.add_argument("--resume", action="store_true", help="reopen the last conversation")
    p.set_defaults(func=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    from agent.chat.app import ChatApp

    app = ChatApp(
        args.workspace,
        use_llm=args.use_llm,
        debug=bool(getattr(args, "debug", False)),
        resume=bool(args.resume),
    )
    app.run()
    return int(app.return_code or 0)
