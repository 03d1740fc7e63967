"""`lablens search "query"`: hybrid (dense + BM25) search over the indexed docs, with citations."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    p.add_argument("--since", metavar="DATE", help="only docs dated on or after DATE (ISO)")
    p.add_argument("--until", metavar="DATE", help="only docs dated on or before DATE (ISO)")
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
    """argparse → the agent's search tool → a renderer (one result shape for both)."""
    from agent.assistant.tools.docs import search_docs
    from agent.workspace import Workspace
    from indexes.search import SearchFilters

    for flag in ("since", "until"):
        _check_date(getattr(args, flag), f"--{flag}")
    ws = Workspace.open(args.workspace)
    filters = SearchFilters(
        doc_type=args.doc_type,
        team=args.team,
        since=args.since,
        until=args.until,
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
    _print_hits(args.query, list(result.hits))
    return 0


def _check_date(value: str | None, flag: str) -> None:
    import datetime

    from tools.errors import InputError

    if value is None:
        return
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{flag} {value!r} is not a date", hint="Use YYYY-MM-DD.") from None


def _print_hits(query: str, hits: list[Hit]) -> None:
    from rich.markup import escape

    from agent.output import console
    from indexes.lexical import query_terms

    con = console()
    if not hits:
        con.print(f"No results for [bold]{escape(query)}[/].")
        return
    terms = query_terms(query)
    for n, h in enumerate(hits, start=1):
        where = escape(h.title) + (f" › {escape(h.heading)}" if h.heading else "")
        con.print(f"[bold]{n}.[/] [cyan]{escape(h.path)}:{h.start_line}-{h.end_line}[/]  {where}")
        con.print(f"   {highlight(h.snippet, terms)}")


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
