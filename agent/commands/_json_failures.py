"""Under `--json`, every failure of a doc command is a JSON object on stdout, a bug included:
a script reading stdout never gets an empty answer. (Errors meant for users are printed by
`agent.cli.main`; this adds the unexpected ones, with exit code 70.)"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def run_reporting_json_failures(
    args: argparse.Namespace, command: Callable[[argparse.Namespace], int]
) -> int:
    if not getattr(args, "json", False) or getattr(args, "debug", False):
        return command(args)
    from tools.errors import LablensError

    try:
        return command(args)
    except (LablensError, KeyboardInterrupt):
        raise  # the CLI prints these (as JSON under --json) with their own exit codes
    except Exception as exc:
        from agent.output import emit_json, print_bug
        from indexes.display_text import printable
        from tools.exit_codes import EXIT_INTERNAL

        emit_json(
            {
                "error": "Internal error",
                "message": printable(f"{type(exc).__name__}: {exc}", keep_newlines=False),
                "hint": "This is a bug in lablens; re-run with --debug for the traceback.",
            }
        )
        print_bug(exc)
        return EXIT_INTERNAL
