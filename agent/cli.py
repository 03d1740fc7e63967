"""The `lablens` command line: one-shot commands, `--json` for scripts, `chat` for the UI.

Start-up stays fast because every command module imports its heavy dependencies lazily,
inside the function that runs the command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from agent import __version__
from agent.commands import COMMAND_MODULES
from tools.exit_codes import EXIT_INTERNAL, EXIT_USER_ERROR

EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lablens",
        description="A terminal assistant for ML teams: search design docs, ask questions of "
        "the warehouse with validated SQL, and summarize experiments.",
    )
    parser.add_argument("--version", action="version", version=f"lablens {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _registrars():
        register(sub)
    return parser


def _registrars() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    import importlib

    return [importlib.import_module(f"agent.commands.{m}").register for m in COMMAND_MODULES]


def add_workspace_flag(parser: argparse.ArgumentParser) -> None:
    """`--workspace` and `--debug`; commands add their own `--json` (or use agent.cli_args)."""
    from agent.cli_args import add_common_flags

    add_common_flags(parser, json_flag=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        code = args.func(args)
        return int(code or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the one place errors become exit codes
        from tools.errors import LablensError

        if getattr(args, "debug", False):
            raise
        if isinstance(exc, LablensError):
            from agent.output import print_error

            print_error(exc, as_json=getattr(args, "json", False))
            return EXIT_USER_ERROR
        from agent.output import print_bug

        print_bug(exc)
        return EXIT_INTERNAL  # never 1: that means "rejected by the validator"


if __name__ == "__main__":
    sys.exit(main())
