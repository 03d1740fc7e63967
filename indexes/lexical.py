"""BM25 over SQLite FTS5: turning free text into a safe FTS5 query, and ranking chunks.

Questions are matched with OR over their content words (AND would demand every word of a
question appear in one chunk); snake_case identifiers become phrases so `hf_l1_ranker_v2`
matches exactly that token sequence.

A chunk's score is its own BM25 plus its document's (the `docs_fts` row: title and all its
text): a question in a reader's words spreads them over a design doc, seldom all in the one
section that answers it, so the document that uses most of them lends its chunks weight over a
single chunk of another that happens to share a few.
"""

from __future__ import annotations

import re
import sqlite3

from indexes import state_db

# title, heading, body: a word in a title or heading says more about a chunk than one in prose.
BM25_WEIGHTS = (3.0, 2.0, 1.0)
DOC_BM25_WEIGHTS = (3.0, 1.0)  # title, body of the document row
# How much of the document's BM25 is added to each of its chunks'. Chosen on the TF RFC tuning
# questions and the demo questions, where hybrid MRR rose at every value from 0.5 to 3 (a broad
# plateau; 1, plain chunk + document, is in its middle). Figures in BENCHMARKS.md.
DOC_PRIOR = 1.0
_WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*", re.UNICODE)
_STOPWORD_TEXT = """
a about above after again all also am an and any are as at be because been before being below
between both but by can could did do does doing done down during each few for from further had
has have having he her here hers how i if in into is it its itself just me more most my no nor
not now of off on once only or other our out over own same she should so some such than that
the their them then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours explain explains
explained tell show find doc docs document documents documentation describe describes
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def query_terms(text: str) -> list[str]:
    """Content words and identifiers of a query, lower-cased, in order, without duplicates."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.lower()):
        term = match.group(0)
        if term not in STOPWORDS and (len(term) > 1 or term.isdigit()):
            seen.setdefault(term, None)
    return list(seen)


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for `text`, or None when it has no searchable words."""
    parts = []
    for term in query_terms(text):
        words = term.split("_")
        # Every word quoted: FTS5 operators in user text (AND, NEAR, -, :) stay plain words.
        parts.append('"' + " ".join(w.replace('"', "") for w in words) + '"')
    return " OR ".join(parts) if parts else None


def lexical_search(
    conn: sqlite3.Connection,
    text: str,
    k: int,
    allowed_paths: list[str] | None = None,
    doc_prior: float = DOC_PRIOR,
) -> list[tuple[str, float]]:
    """(chunk id, chunk BM25 + doc_prior x its document's BM25; higher is better) best first.

    An index written before the document rows existed (searched before its next `lablens
    index`, which adds them) is ranked on chunk BM25 alone."""
    match = fts_query(text)
    if match is None or k <= 0 or allowed_paths == []:
        return []
    sql = (
        f"SELECT chunk_id, -bm25(chunks_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS s "
        "FROM chunks_fts WHERE chunks_fts MATCH ?"
    )
    params: list[object] = [match]
    if allowed_paths is not None:
        sql += (
            " AND chunk_id IN (SELECT id FROM chunks WHERE path IN "
            f"({','.join('?' * len(allowed_paths))}))"
        )
        params.extend(allowed_paths)
    doc_of = state_db.chunk_doc_rowids(conn) if doc_prior else {}
    if not doc_of:
        sql += " ORDER BY s DESC, chunk_id LIMIT ?"
        params.append(k)
        return [(str(i), float(s)) for i, s in conn.execute(sql, params)]
    # Every match is scored (SQLite ranks them all for ORDER BY anyway), then re-ranked with
    # its document's score; rowid only, so no document text is read.
    doc_sql = (
        f"SELECT rowid, -bm25(docs_fts, {', '.join(map(str, DOC_BM25_WEIGHTS))}) "
        "FROM docs_fts WHERE docs_fts MATCH ?"
    )
    docs = {int(r): float(s) for r, s in conn.execute(doc_sql, (match,))}
    scored = [
        (str(cid), float(s) + doc_prior * docs.get(doc_of.get(str(cid), -1), 0.0))
        for cid, s in conn.execute(sql, params)
    ]
    scored.sort(key=lambda kv: (-kv[1], kv[0]))
    return scored[:k]
