"""`lablens index [PATH...]`: build or update the documentation index incrementally.

Exit codes: 0 every documentation file is indexed; 3 some were skipped (each with a reason);
2 a user error (e.g. another index run holds the lock, or a new embedder that does not work:
the index in use is then unchanged); 70 a bug. Unsupported file types (images, LICENSE…) are
listed as ignored and do not change the exit code.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from agent.cli_args import add_common_flags

if TYPE_CHECKING:
    from rich.console import Console

    from indexes.index_run import IndexSummary, ProgressEvent, ProgressFn


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "index",
        help="index design docs and reports for `lablens search`",
        description="Index Markdown, text and reStructuredText files (default: the workspace's "
        "docs.paths). Only new or changed files are embedded. Exit code 3 when some files "
        "were skipped.",
    )
    add_common_flags(p)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to index")
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another index run on the workspace (default: refuse)",
    )
    p.set_defaults(func=run_index)


def run_index(args: argparse.Namespace) -> int:
    from agent.commands._json_failures import run_reporting_json_failures

    return run_reporting_json_failures(args, _run_index)


def _run_index(args: argparse.Namespace) -> int:
    from pathlib import Path

    from agent.output import console, emit_json
    from agent.workspace import Workspace
    from indexes.build import build_index

    ws = Workspace.open(args.workspace)
    paths = [Path(p).resolve() for p in args.paths] or ws.doc_paths

    def build(progress: ProgressFn | None = None) -> IndexSummary:
        return build_index(
            paths,
            ws.state_dir,
            progress=progress,
            embedder=ws.embedder_spec(),
            chroma_url=ws.settings.docs.chroma_url,
            root=ws.root,
            max_file_mb=ws.settings.docs.max_file_mb,
            lock_wait_s=args.wait,
        )

    if args.json:
        summary = build()
        emit_json(summary.to_dict())
    else:
        with _ProgressView(console(stderr=True)) as view:
            try:
                summary = build(view.update)
            except KeyboardInterrupt:
                done = view.last.files_done if view.last else 0
                total = view.last.files_total if view.last else 0
                console(stderr=True).print(
                    f"[yellow]Stopped after {done:,} of {total:,} files.[/] What was committed "
                    "stays searchable and the index is consistent; `lablens index` again "
                    "continues where this run stopped."
                )
                raise
        _print_summary(summary, console())
    from tools.exit_codes import EXIT_OK, EXIT_PARTIAL

    return EXIT_PARTIAL if summary.skipped else EXIT_OK


class _ProgressView:
    """A rich progress bar over files (with the time left), plus chunk counters."""

    def __init__(self, con: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[chunks]} chunks · {task.fields[embedded]} embedded"),
            TextColumn("· {task.fields[skipped]} skipped ·"),
            TimeElapsedColumn(),
            TextColumn("· ETA"),
            TimeRemainingColumn(),
            console=con,
            transient=True,
        )
        self.task = self.progress.add_task("scanning", total=None, chunks=0, embedded=0, skipped=0)
        self.last: ProgressEvent | None = (
            None  # the latest progress event, for the message on Ctrl-C
        )

    def __enter__(self) -> _ProgressView:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def update(self, event: ProgressEvent) -> None:
        self.last = event
        # Files are the unit of the bar (their number is known up front; chunks are found as
        # files are read); the time left is estimated from the pace of files done so far.
        self.progress.update(
            self.task,
            description="embedding" if event.stage in ("embed", "file") else "indexing",
            total=event.files_total or None,
            completed=event.files_done,
            chunks=event.chunks,
            embedded=event.embedded,
            skipped=event.skipped,
        )


def _print_summary(s: IndexSummary, con: Console) -> None:
    from rich.markup import escape as rich_escape

    from indexes.display_text import printable

    def escape(text: str) -> str:  # file names and reasons are data: no control characters
        return str(rich_escape(printable(text, keep_newlines=False)))

    for message in s.messages:
        con.print(f"[yellow]{escape(message)}[/]")
    if s.repaired_ids:
        con.print(
            f"[yellow]Repaired an interrupted run: removed {s.repaired_ids} stale entries.[/]"
        )
    con.print(
        f"[bold]{s.files_seen}[/] files: [green]{s.files_indexed} indexed[/], "
        f"{s.files_unchanged} unchanged, {s.files_deleted} removed, "
        f"[{'red' if s.skipped else 'dim'}]{len(s.skipped)} skipped[/] · "
        f"{s.chunks_embedded} chunks embedded, {s.chunks_total} in the index · "
        f"{s.elapsed_s:.1f} s [dim]({escape(s.embedder)})[/]"
    )
    for item in s.skipped:
        con.print(f"  [red]skipped[/] {escape(item.path)}: {escape(item.reason)}")
    for item in s.warnings:
        con.print(f"  [yellow]warning[/] {escape(item.path)}: {escape(item.reason)}")
    for item in s.ignored:
        con.print(f"  [dim]ignored {escape(item.path)}: {escape(item.reason)}[/]")
