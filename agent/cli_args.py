"""Flags every command shares: `--workspace`, `--json`, `--debug`."""

from __future__ import annotations

import argparse


def add_common_flags(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    parser.add_argument(
        "--workspace",
        "-w",
        metavar="DIR",
        help="workspace folder (default: $LABLENS_WORKSPACE, else the current "
        "folder or the nearest one above it with a lablens.toml)",
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors"
    )
