"""`lablens sql "question"`: the question path of the sql command (flags, run, output)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tools.exit_codes import EXIT_OK, EXIT_REJECTED

if TYPE_CHECKING:
    from agent.workspace import Workspace
    from tools.catalog.model import Catalog
    from tools.planner.sql_answer import SqlAnswer
    from tools.warehouse.protocol import Warehouse


def add_question_flags(p: argparse.ArgumentParser) -> None:
    llm = p.add_mutually_exclusive_group()
    llm.add_argument(
        "--llm",
        dest="llm",
        action="store_true",
        default=None,
        help="write the SQL with the configured language model (validated; "
        "falls back to the offline planner if the model fails)",
    )
    llm.add_argument(
        "--no-llm",
        dest="llm",
        action="store_false",
        help="use the offline planner only (default when no model is set)",
    )
    p.add_argument(
        "--no-execute",
        action="store_true",
        help="plan and validate (with EXPLAIN) but do not run the query",
    )
    p.add_argument(
        "--save",
        action="store_true",
        help="keep the question and its validated SQL as a confirmed example "
        "(few-shot for the model); with --sql, save that SQL instead",
    )
    p.add_argument(
        "--sql",
        dest="example_sql",
        metavar="SQL",
        help="with --save: the SQL that answers the question",
    )


def run_question(args: argparse.Namespace) -> int:
    from agent.commands.validate import open_workspace, read_sql
    from agent.nl2sql.answer import answer_question_text
    from tools.warehouse.connection import open_warehouse

    question = read_sql(args.text) if args.text is not None else ""
    ws = open_workspace(args.workspace)
    limit = _limit(args, ws)
    target = args.dialect
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        if args.save and args.example_sql:
            return _save(args, ws, warehouse, question, args.example_sql)
        foreign = target is not None and target.lower() != warehouse.dialect
        answer = answer_question_text(
            ws,
            warehouse,
            use_llm=args.llm,
            execute=not (args.no_execute or foreign or args.save),
            default_limit=limit,
        )(question)
        if foreign and answer.valid:
            _rewrite_for(answer, target, ws.catalog, limit)
        if args.save:
            if not answer.valid:
                _emit(args, answer)
                return EXIT_REJECTED
            return _save(args, ws, warehouse, question, answer.sql)
    _emit(args, answer)
    return EXIT_OK if answer.valid else EXIT_REJECTED


def _limit(args: argparse.Namespace, ws: Workspace) -> int | None:
    from agent.commands.validate import default_limit

    return default_limit(args, ws)


def _rewrite_for(answer: SqlAnswer, dialect: str, catalog: Catalog, limit: int | None) -> None:
    """Show the validated query in another dialect (it cannot run on this warehouse)."""
    from tools.sql.validate import validate_sql

    report = validate_sql(
        answer.sql, catalog, dialect=dialect, read_dialect=answer.dialect, default_limit=limit
    )
    answer.sql, answer.dialect, answer.valid = report.sql, report.dialect, report.valid
    answer.errors = list(report.errors)
    # The rewrite's own warnings shaped the text (e.g. an approximate percentile where the
    # engine has no exact one): they are part of the answer, never dropped.
    answer.notes.extend(w.message for w in report.warnings)
    answer.notes.append(f"Written for {report.dialect}; not run on this warehouse.")


def _save(
    args: argparse.Namespace, ws: Workspace, warehouse: Warehouse, question: str, sql: str
) -> int:
    from agent.nl2sql.examples import SavedExample, examples_path, save_example

    example = save_example(
        ws.state_dir,
        question,
        sql,
        ws.catalog,
        dialect=warehouse.dialect,
        explain=warehouse.explain,
    )
    saved = SavedExample(example, examples_path(ws.state_dir))
    if args.json:
        from agent.output import emit_json

        emit_json(saved.to_dict())
    else:
        from rich.markup import escape

        from agent.output import console

        console().print(escape(saved.to_text()))
    return EXIT_OK


def _emit(args: argparse.Namespace, answer: SqlAnswer) -> None:
    if args.json:
        from agent.output import emit_json

        emit_json(answer.to_dict())
        return
    from rich.markup import escape
    from rich.syntax import Syntax

    from agent.output import console

    c = console()
    c.print(Syntax(answer.sql, "sql", word_wrap=True))
    if answer.explanation:
        c.print(f"[dim]{escape(answer.explanation)}[/]  [dim]({answer.source})[/]")
    for note in answer.notes:
        c.print(f"[yellow]{escape(note)}[/]")
    for err in answer.errors:
        hint = f" — {err.hint}" if err.hint else ""
        c.print(f"[red]✗ {escape(err.code)}[/] {escape(err.message + hint)}")
    if not answer.executed:
        return
    from agent.output import print_rows

    print_rows(answer.columns, answer.rows, row_count=answer.row_count)
