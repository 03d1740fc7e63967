"""Query the doc index: dense, lexical (FTS5 BM25) and hybrid (reciprocal rank fusion), with
metadata filters, returning cited hits (path, heading, line range, snippet).

The dense leg of an embedded index is answered from the exact-search mirror in the state
database (see dense_mirror.py), so a search never imports chromadb; a server index, or an index
whose mirror is incomplete (built by an older lablens), is queried through Chroma.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from indexes import state_db
from indexes.doc_dates import parse_date_bound
from indexes.embedders import Embedder, EmbedderSpec, resolve_embedder
from indexes.fusion import DEFAULT_RRF_K, DOC_DEPTH, document_scores, reciprocal_rank_fusion
from indexes.generations import collection_of
from indexes.lexical import lexical_search, query_terms
from indexes.vector_store import DOCS_COLLECTION, VectorStore, open_client
from tools.errors import IndexingError, InputError

if TYPE_CHECKING:
    from indexes.dense_mirror import Mirror

Mode = Literal["hybrid", "dense", "lexical"]
# auto: the mirror when the index is embedded and its mirror complete, Chroma otherwise.
DenseEngine = Literal["auto", "mirror", "chroma"]
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class SearchFilters:
    doc_type: str | None = None
    team: str | None = None
    # ISO dates (YYYY-MM-DD), inclusive, against the front matter `date` normalised at index
    # time; a document without a real date never passes a date filter.
    since: str | None = None
    until: str | None = None
    path_glob: str | None = None  # SQLite GLOB over the stored path: `*` also crosses folders

    def active(self) -> bool:
        return any(v is not None for v in asdict(self).values())


@dataclass(frozen=True)
class Hit:
    path: str
    title: str
    heading: str
    start_line: int
    end_line: int
    doc_type: str | None
    team: str | None
    date: str | None
    score: float
    snippet: str
    chunk_id: str
    dense_rank: int | None
    lexical_rank: int | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def search_index(
    query: str,
    state_dir: Path,
    *,
    k: int = 5,
    filters: SearchFilters | None = None,
    chroma_url: str | None = None,
    embedder: EmbedderSpec | Embedder | None = None,
    mode: Mode = "hybrid",
    rrf_k: int = DEFAULT_RRF_K,
    max_per_file: int = 1,
    candidates: int = 50,
    collection: str = DOCS_COLLECTION,
    engine: DenseEngine = "auto",
) -> list[Hit]:
    """The `k` best chunks for `query`, best first: documents in the order of their aggregated
    chunk scores, each with its best `max_per_file` chunks (grouped under their document).

    `engine` picks what answers the dense leg: "mirror" (exact cosine over the vectors kept in
    the state database), "chroma" (the Chroma collection, HNSW), or "auto" (the mirror for an
    embedded index whose mirror is complete, else Chroma).
    """
    if not query.strip():
        raise IndexingError("Empty search query", hint='Try `lablens search "how is X done"`.')
    if filters is not None:
        _check_filter_dates(filters)
    if chroma_url:  # a shared index: its manifest and lexical index are the server's
        from indexes.shared_index import synced_state_dir

        state_dir = synced_state_dir(state_dir, open_client(state_dir, chroma_url), collection)
    conn = state_db.open_state(state_dir, readonly=True)
    try:
        collection = collection_of(conn, collection)
        identity = state_db.get_meta(conn, "index_identity") or ""
        emb = resolve_embedder(embedder)
        if mode != "lexical" and identity and not identity.startswith(emb.identity + "|"):
            raise IndexingError(
                f"The index was built with `{identity.split('|')[0]}` but the settings now "
                f"use `{emb.identity}`.",
                hint="Run `lablens index` to rebuild it.",
            )
        pool = max(candidates, k * 10)
        # The query vector is computed while the lexical search runs and the dense index is
        # read (or Chroma starts): numpy releases the GIL in its matrix products.
        vector_box: dict[str, Any] = {}
        thread = None
        if mode != "lexical":
            import numpy  # noqa: F401  -- imported once here: concurrent first imports race

            thread = threading.Thread(target=_embed_into, args=(emb, query, vector_box))
            thread.start()
        allowed = _allowed_paths(conn, filters) if filters and filters.active() else None
        lexical = (
            [] if mode == "dense" else [i for i, _ in lexical_search(conn, query, pool, allowed)]
        )
        dense: list[str] = []
        if thread is not None:
            mirror = _mirror_for(conn, state_dir, chroma_url, engine)
            store = (
                VectorStore(open_client(state_dir, chroma_url), collection)
                if mirror is None
                else None
            )
            thread.join()
            if "error" in vector_box:
                raise vector_box["error"]
            vector = vector_box["vector"]
            if mirror is not None:
                dense = _mirror_query(mirror, vector, pool, allowed)
            elif store is not None and allowed != [] and store.exists():
                where = None if allowed is None else {"path": {"$in": allowed}}
                # Twice the pool: HNSW searches with ef = max(ef_search, n), so asking for more
                # makes the tail of the `pool` we keep match the exact mirror's far more often.
                dense = [i for i, *_ in store.query(vector, 2 * pool, where)]
                # Vectors the manifest does not claim (a run is mid-way, or stopped before
                # publishing) are dropped before fusion, so they cannot shift the ranks of the
                # chunks that are there: a shared index answers from its published snapshot.
                known = _chunk_rows(conn, dense)
                dense = [i for i in dense if i in known][:pool]
        rankings = [r for r, m in ((dense, "dense"), (lexical, "lexical")) if mode in ("hybrid", m)]
        # Dense-only ranking keeps each document's best chunk: summing its next chunks lowered
        # dense MRR on both question sets (BENCHMARKS.md), where it lifts lexical and hybrid.
        depth = 1 if mode == "dense" else DOC_DEPTH
        # The order is fused from the same `candidates` chunks per leg whatever `k` is, so a
        # document's rank does not depend on how many results were asked for; the deeper lists
        # only fill the places the fixed pool leaves empty. (Exact for the lexical leg and the
        # dense mirror; Chroma's HNSW may order its first `candidates` differently when asked
        # for more.)
        pooled = reciprocal_rank_fusion([r[:candidates] for r in rankings], k=rrf_k)
        deeper = (
            reciprocal_rank_fusion(rankings, k=rrf_k)
            if any(len(r) > candidates for r in rankings)
            else pooled
        )
        return _hits(conn, pooled, deeper, dense, lexical, query, k, max_per_file, depth)
    finally:
        conn.close()


def dense_engine_in_use(
    state_dir: Path, chroma_url: str | None = None, engine: DenseEngine = "auto"
) -> Literal["mirror", "chroma"]:
    """What `search_index` would answer the dense leg with, for `lablens search` to report."""
    conn = state_db.open_state(state_dir, readonly=True)
    try:
        mirror = _mirror_for(conn, state_dir, chroma_url, engine)
        return "chroma" if mirror is None else "mirror"
    finally:
        conn.close()


def _check_filter_dates(f: SearchFilters) -> None:
    """Filter dates must be ISO days: anything else would compare as text and match wrongly."""
    for flag, value in (("since", f.since), ("until", f.until)):
        if value is not None and parse_date_bound(value, flag=flag, end=flag == "until") != value:
            raise InputError(
                f"{flag} {value!r} is not a YYYY-MM-DD date",
                hint="Convert it with indexes.doc_dates.parse_date_bound first.",
            )


def _mirror_for(
    conn: sqlite3.Connection, state_dir: Path, chroma_url: str | None, engine: DenseEngine
) -> Mirror | None:
    """The mirror to search, or None to search Chroma."""
    if engine == "chroma" or (engine == "auto" and chroma_url):
        return None
    key = str((state_dir / state_db.DB_FILE).resolve())
    mirror = state_db.read_mirror(conn, key)
    if mirror is None and engine == "mirror":
        raise IndexingError(
            "This index has no complete exact-search mirror of its vectors",
            hint="Run `lablens index` on an embedded workspace to fill it, or search with "
            "`--engine chroma`.",
        )
    return mirror


def _mirror_query(mirror: Mirror, vector: Any, pool: int, allowed: list[str] | None) -> list[str]:
    from indexes.dense_mirror import nearest_ids

    if mirror.ids and mirror.dim != len(vector):
        raise IndexingError(
            f"The index holds {mirror.dim}-d vectors but the query vector has {len(vector)}",
            hint="Run `lablens index` to rebuild it with the current embedder.",
        )
    return nearest_ids(mirror, vector, pool, allowed)


def _embed_into(emb: Embedder, query: str, box: dict[str, Any]) -> None:
    try:
        box["vector"] = emb.embed_query(query)
    except Exception as exc:  # re-raised in the caller's thread
        box["error"] = exc


def _allowed_paths(conn: sqlite3.Connection, f: SearchFilters) -> list[str]:
    clauses, params = [], []
    for column, value in (("doc_type", f.doc_type), ("team", f.team)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.since is not None or f.until is not None:
        # Only normalised ISO dates compare: a value stored by an older lablens as free text
        # ("10/01/2025") is excluded rather than compared as a string.
        clauses.append("date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'")
    if f.since is not None:
        clauses.append("date >= ?")
        params.append(f.since)
    if f.until is not None:
        clauses.append("date <= ?")
        params.append(f.until)
    if f.path_glob is not None:
        clauses.append("path GLOB ?")
        params.append(f.path_glob)
    sql = "SELECT path FROM files" + (" WHERE " + " AND ".join(clauses) if clauses else "")
    return sorted(r[0] for r in conn.execute(sql + " ORDER BY path", params))


def _hits(
    conn: sqlite3.Connection,
    pooled: list[tuple[str, float]],
    deeper: list[tuple[str, float]],
    dense: list[str],
    lexical: list[str],
    query: str,
    k: int,
    max_per_file: int,
    depth: int = DOC_DEPTH,
) -> list[Hit]:
    """Documents ranked by their aggregated chunk scores (fusion.document_scores) over the
    `pooled` fusion, then the documents only the `deeper` one reaches; each with its best
    `max_per_file` chunks (the pooled ones first). A hit's score is its document's."""
    dense_rank = {cid: r for r, cid in enumerate(dense, start=1)}
    lex_rank = {cid: r for r, cid in enumerate(lexical, start=1)}
    # In Chroma but not in the manifest: a run is mid-way; such chunks are left out.
    rows = _chunk_rows(conn, [cid for cid, _ in deeper])
    path_of = {cid: row["path"] for cid, row in rows.items()}
    docs = document_scores(pooled, path_of, depth=depth)
    if deeper is not pooled:
        docs += _below(docs, document_scores(deeper, path_of, depth=depth))
    chunks_of: dict[str, list[str]] = {}
    in_pool = {cid for cid, _ in pooled}
    for cid, _ in [*pooled, *(kv for kv in deeper if kv[0] not in in_pool)]:
        if cid in rows:
            chunks_of.setdefault(rows[cid]["path"], []).append(cid)
    hits: list[Hit] = []
    terms = query_terms(query)
    for path, score in docs:
        for cid in chunks_of[path][:max_per_file]:
            row = rows[cid]
            hits.append(
                Hit(
                    path=row["path"],
                    title=row["title"],
                    heading=row["heading"],
                    start_line=row["start_line"],
                    end_line=row["end_line"],
                    doc_type=row["doc_type"],
                    team=row["team"],
                    date=row["date"],
                    score=round(score, 6),
                    snippet=make_snippet(row["text"], terms),
                    chunk_id=cid,
                    dense_rank=dense_rank.get(cid),
                    lexical_rank=lex_rank.get(cid),
                    text=row["text"],
                )
            )
            if len(hits) >= k:
                return hits
    return hits


def _below(
    docs: list[tuple[str, float]], deeper: list[tuple[str, float]]
) -> list[tuple[str, float]]:
    """The documents of `deeper` not in `docs`, in their order, scored no higher than the last
    of `docs` (they were ranked on longer lists, whose scores are not comparable)."""
    shown = {path for path, _ in docs}
    floor = docs[-1][1] if docs else None
    return [
        (path, score if floor is None else min(score, floor))
        for path, score in deeper
        if path not in shown
    ]


def _chunk_rows(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT c.id, c.path, c.title, c.heading, c.start_line, c.end_line, c.text, "
            "f.doc_type, f.team, f.date FROM chunks c JOIN files f ON f.path = c.path "
            f"WHERE c.id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
    finally:
        conn.row_factory = None
    return {r["id"]: dict(r) for r in rows}


def make_snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """The `width`-character window of `text` with the most query-term occurrences."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    lower = flat.lower()
    positions = sorted(p for t in terms for p in _find_all(lower, t))
    if not positions:
        return flat[:width].rstrip() + " …"
    best, best_count = positions[0], 0
    for i, start in enumerate(positions):
        count = sum(1 for p in positions[i:] if p < start + width)
        if count > best_count:
            best, best_count = start, count
    start = max(0, best - width // 6)
    start = flat.rfind(" ", 0, start) + 1 if start > 0 else 0
    end = min(len(flat), start + width)
    return ("… " if start > 0 else "") + flat[start:end].strip() + (" …" if end < len(flat) else "")


def _find_all(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out
