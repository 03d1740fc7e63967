"""`lablens validate "SQL"`: check a statement against the workspace catalog without running it.

Exit codes (`tools/exit_codes.py`): 0 valid, 1 rejected (the report says why), 2 for input that
is not a query at all, 70 for a bug in lablens.
Also holds what `lablens sql` shares: reading SQL from an argument or stdin, and printing a
validation report.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.workspace import Workspace
    from tools.sql.problems import ValidationReport


def register(sub: Any) -> None:
    from agent.cli_args import add_common_flags

    p: argparse.ArgumentParser = sub.add_parser(
        "validate",
        help="check SQL against the catalog (nothing runs)",
        description="Validate one SQL statement: one read-only query over catalog tables, "
        "every column resolved, partition filters present, a LIMIT added; printed in the "
        "warehouse's dialect. Exit 0 when valid, 1 when not.",
    )
    add_common_flags(p)
    p.add_argument("sql", help="the SQL, or - to read it from stdin")
    add_sql_flags(p)
    p.add_argument(
        "--explain",
        action="store_true",
        help="also dry-run the query with EXPLAIN on the warehouse",
    )
    p.set_defaults(func=run_validate)


def add_sql_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dialect",
        "-d",
        metavar="D",
        help="dialect the SQL is written in (default: the warehouse's); output is "
        "always the warehouse's dialect",
    )
    limit = p.add_mutually_exclusive_group()
    limit.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="LIMIT to add when the query has none (default: [warehouse] default_limit)",
    )
    limit.add_argument("--no-limit", action="store_true", help="do not add a LIMIT")


def run_validate(args: argparse.Namespace) -> int:
    from tools.exit_codes import EXIT_OK, EXIT_REJECTED
    from tools.sql.validate import validate_sql
    from tools.warehouse.connection import open_warehouse, warehouse_dialect

    sql = read_sql(args.sql)
    ws = open_workspace(args.workspace)
    catalog = ws.catalog
    kwargs = {
        "dialect": warehouse_dialect(ws.settings.warehouse),
        "read_dialect": args.dialect,
        "default_limit": default_limit(args, ws),
    }
    if args.explain:
        with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
            report = validate_sql(sql, catalog, explain=warehouse.explain, **kwargs)
    else:
        report = validate_sql(sql, catalog, **kwargs)
    if args.json:
        from agent.output import emit_json

        emit_json(report.to_dict())
    else:
        print_report(report)
    return EXIT_OK if report.valid else EXIT_REJECTED


def read_sql(text: str | None) -> str:
    """The SQL from the argument, or from stdin for `-`; stdin must be UTF-8."""
    import sys

    from tools.errors import InputError

    if text is None:
        raise InputError("No SQL given.", hint="Pass the SQL as an argument, or - to read stdin.")
    if text != "-":
        return text
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The SQL on stdin is not UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start}).",
            hint="Convert the file to UTF-8 (e.g. with iconv).",
        ) from None


def open_workspace(explicit: str | None) -> Workspace:
    from agent.workspace import Workspace
    from tools.errors import WorkspaceError

    try:
        return Workspace.open(explicit)
    except WorkspaceError as exc:
        raise WorkspaceError(
            exc.message, hint="SQL is checked against a workspace's catalog. " + (exc.hint or "")
        ) from None


def default_limit(args: argparse.Namespace, ws: Workspace) -> int | None:
    from tools.errors import InputError

    if args.no_limit:
        return None
    if args.limit is not None:
        if args.limit < 1:
            raise InputError("--limit must be at least 1.", hint="Use --no-limit for none.")
        return int(args.limit)
    return ws.settings.warehouse.default_limit


def print_report(report: ValidationReport) -> None:
    """The SQL, syntax highlighted, then each problem with its code and hint."""
    from rich.markup import escape
    from rich.syntax import Syntax

    from agent.output import console

    c = console()
    c.print(
        Syntax(
            pretty_sql(report.sql, report.dialect) if report.valid else report.sql,
            "sql",
            theme="ansi_dark",
            word_wrap=True,
            background_color="default",
        )
    )
    for p in report.errors:
        where = f" (line {p.line}, column {p.column})" if p.line else ""
        c.print(f"[bold red]error[/] [red]{escape(p.code)}[/]{where}: {escape(p.message)}")
        if p.hint:
            c.print(f"  [dim]hint:[/] {escape(p.hint)}")
    for p in report.warnings:
        c.print(f"[yellow]warning[/] [yellow]{escape(p.code)}[/]: {escape(p.message)}")
    verdict = "[bold green]valid[/]" if report.valid else "[bold red]invalid[/]"
    c.print(f"{verdict} [dim]({escape(report.dialect)})[/]")


def pretty_sql(sql: str, dialect: str) -> str:
    import sqlglot

    try:
        return sqlglot.transpile(sql, read=dialect, write=dialect, pretty=True)[0]
    except (sqlglot.errors.SqlglotError, IndexError):
        return sql
