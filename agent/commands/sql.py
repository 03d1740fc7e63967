"""`lablens sql --raw "SQL"`: validate, then run on the read-only warehouse.

Without `--raw` the text is a question; `answer_question` turns questions into SQL (the
planner plugs in there). Exit codes: 0 ran, 1 rejected by the validator (nothing ran), 2 the
engine refused or stopped it (timeout, memory) or bad input, 70 a bug in lablens.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.sql.problems import ValidationReport
    from tools.warehouse.execute import QueryResult

SHOWN_ROWS = 50  # rows printed in the terminal; --csv and --json carry all fetched rows


def register(sub: Any) -> None:
    from agent.cli_args import add_common_flags
    from agent.commands.validate import add_sql_flags

    p: argparse.ArgumentParser = sub.add_parser(
        "sql",
        help="run validated SQL on the warehouse (--raw), or ask a question",
        description="With --raw, TEXT is SQL: it is validated (see `lablens validate`) and "
        "the validated SQL runs on a read-only connection with a timeout and a row cap. "
        "Exit 1 when the SQL is rejected (nothing runs).",
    )
    add_common_flags(p)
    p.add_argument("text", nargs="?", help="SQL (with --raw) or a question; - reads stdin")
    p.add_argument("--raw", action="store_true", help="TEXT is SQL to validate and run")
    add_sql_flags(p)
    from agent.nl2sql.command import add_question_flags

    add_question_flags(p)
    p.add_argument("--csv", metavar="FILE", help="also write the rows to FILE as CSV")
    p.set_defaults(func=run_sql)


def run_sql(args: argparse.Namespace) -> int:
    if not args.raw:
        return answer_question(args)
    return run_raw(args)


def answer_question(args: argparse.Namespace) -> int:
    """Question -> SQL (offline planner, or the model with --llm) -> validated run."""
    from agent.nl2sql.command import run_question

    return run_question(args)


def run_raw(args: argparse.Namespace) -> int:
    from agent.commands.validate import default_limit, open_workspace, read_sql
    from tools.exit_codes import EXIT_OK, EXIT_REJECTED
    from tools.warehouse.connection import open_warehouse
    from tools.warehouse.run import run_validated

    sql = read_sql(args.text)
    ws = open_workspace(args.workspace)
    catalog = ws.catalog
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        report, result = run_validated(
            sql,
            catalog,
            warehouse,
            read_dialect=args.dialect,
            default_limit=default_limit(args, ws),
        )
    if result is not None and args.csv:
        write_csv(result, args.csv)
    if args.json:
        from agent.output import emit_json

        emit_json(result_json(report, result))
    else:
        print_result(report, result, csv_path=args.csv)
    return EXIT_OK if report.valid else EXIT_REJECTED


def result_json(report: ValidationReport, result: QueryResult | None) -> dict[str, Any]:
    data = report.to_dict()
    data.update(
        result.to_dict()
        if result is not None
        else {"columns": [], "rows": [], "row_count": 0, "truncated": False, "elapsed_ms": None}
    )
    return data


def write_csv(result: QueryResult, path: str) -> None:
    import csv

    from tools.errors import InputError

    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(result.columns)
            writer.writerows(result.rows)
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror or exc}") from None


def print_result(
    report: ValidationReport, result: QueryResult | None, *, csv_path: str | None
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from agent.commands.validate import print_report
    from agent.output import console

    print_report(report)
    if result is None:
        return
    c = console()
    table = Table(show_lines=False, expand=False)
    for name in result.columns:
        table.add_column(escape(name))
    for row in result.rows[:SHOWN_ROWS]:
        table.add_row(*("[dim]NULL[/]" if v is None else escape(str(v)) for v in row))
    c.print(table)
    shown = min(len(result.rows), SHOWN_ROWS)
    note = f"{result.row_count} row(s)"
    if shown < result.row_count:
        note += f", first {shown} shown"
    if result.truncated and not result.byte_capped:
        note += f"; cut at the row cap ({result.row_count})"
    if csv_path:
        note += f"; written to {csv_path}"
    c.print(f"[dim]{escape(note)} in {result.elapsed_ms:.0f} ms[/]")
    for extra in result.notes:  # byte cap, cut cells, values sent as text
        c.print(f"[yellow]note[/]: {escape(extra)}")
