"""`lablens search "query"`: hybrid (dense + BM25) search over the indexed docs, with citations."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from indexes.search import Hit


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from agent.cli_args import add_common_flags

    p: argparse.ArgumentParser = sub.add_parser(
        "search",
        help="search the indexed design docs and reports",
        description="Hybrid search (dense vectors + BM25, fused by reciprocal rank). Each "
        "result cites path:start-end and its heading.",
    )
    add_common_flags(p)
    p.add_argument("query", help="what to look for, in plain words")
    p.add_argument("-k", type=int, default=5, metavar="N", help="number of results (default 5)")
    p.add_argument("--type", dest="doc_type", metavar="T", help="only this doc_type")
    p.add_argument("--team", metavar="T", help="only this team")
    p.add_argument(
        "--since",
        metavar="DATE",
        help="only docs dated on or after DATE: YYYY-MM-DD, YYYY-MM or YYYY (docs without a "
        "readable date are left out)",
    )
    p.add_argument(
        "--until",
        metavar="DATE",
        help="only docs dated on or before DATE: YYYY-MM-DD, YYYY-MM (to the month's end) or YYYY",
    )
    p.add_argument(
        "--path",
        dest="path_glob",
        metavar="GLOB",
        help="only paths matching GLOB (e.g. 'reports/*')",
    )
    p.add_argument(
        "--mode",
        choices=["hybrid", "dense", "lexical"],
        default="hybrid",
        help="ranking to use (default hybrid)",
    )
    p.add_argument(
        "--engine",
        choices=["auto", "mirror", "chroma"],
        default="auto",
        help="what answers the dense ranking: the exact-search mirror kept beside "
        "the index, or Chroma (default auto: the mirror for an embedded index, "
        "Chroma for a server or an index built before the mirror existed)",
    )
    p.set_defaults(func=run_search)


def run_search(args: argparse.Namespace) -> int:
    from agent.commands._json_failures import run_reporting_json_failures

    return run_reporting_json_failures(args, _run_search)


def _run_search(args: argparse.Namespace) -> int:
    """argparse → the agent's search tool → a renderer (one result shape for both)."""
    from agent.assistant.tools.docs import search_docs
    from agent.workspace import Workspace
    from indexes.doc_dates import parse_date_bound
    from indexes.search import SearchFilters
    from tools.errors import InputError

    if args.k < 1:
        raise InputError("-k must be at least 1")
    since = None if args.since is None else parse_date_bound(args.since, flag="--since", end=False)
    until = None if args.until is None else parse_date_bound(args.until, flag="--until", end=True)
    ws = Workspace.open(args.workspace)
    filters = SearchFilters(
        doc_type=args.doc_type,
        team=args.team,
        since=since,
        until=until,
        path_glob=args.path_glob,
    )
    result = search_docs(
        args.query,
        ws.state_dir,
        k=args.k,
        filters=filters,
        chroma_url=ws.settings.docs.chroma_url,
        mode=args.mode,
        embedder=ws.embedder_spec(),
        engine=args.engine,
    )
    if args.json:
        from agent.output import emit_json

        emit_json(result.to_dict())
        return 0
    _print_hits(args.query, list(result.hits), result.notes)
    return 0


def _print_hits(query: str, hits: list[Hit], notes: Sequence[str] = ()) -> None:
    from rich.markup import escape

    from agent.output import console
    from indexes.display_text import printable
    from indexes.lexical import query_terms

    con = console()
    if not hits:
        con.print(f"No results for [bold]{escape(printable(query))}[/].")
        return
    terms = query_terms(query)
    # Titles, headings and snippets are file content: control characters (a NUL, an escape
    # sequence) are replaced before they reach the terminal.
    for n, h in enumerate(hits, start=1):
        heading = printable(h.heading, keep_newlines=False)
        where = escape(printable(h.title, keep_newlines=False)) + (
            f" › {escape(heading)}" if heading else ""
        )
        con.print(
            f"[bold]{n}.[/] [cyan]{escape(printable(h.path))}:{h.start_line}-{h.end_line}[/]"
            f"  {where}"
        )
        con.print(f"   {highlight(printable(h.snippet, keep_newlines=False), terms)}")
    for note in notes:  # the question's words are the user's own: escaped, not trusted markup
        con.print(f"[yellow]Note:[/] {escape(printable(note, keep_newlines=False))}")


def highlight(text: str, terms: list[str]) -> str:
    """Rich markup for `text` with query words in bold yellow (prefix match for stemmed forms)."""
    import re

    from rich.markup import escape

    if not terms:
        return escape(text)
    stems = sorted({t[:5] if len(t) > 5 else t for t in terms}, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.I)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"[bold yellow]{escape(m.group(0))}[/]")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)
