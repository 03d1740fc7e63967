"""The search-docs tool: hybrid search over the indexed docs, one result shape for CLI and agent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.assistant.events import Source

if TYPE_CHECKING:
    from pathlib import Path

    from indexes.embedders import Embedder, EmbedderSpec
    from indexes.search import Hit, SearchFilters

# The fields of a hit that `lablens search --json` prints (the full chunk text stays out).
HIT_KEYS = ("path", "title", "heading", "start_line", "end_line", "doc_type", "score", "snippet")
# Characters of each passage the model reads: enough for an answer, bounded for the context.
PASSAGE_CHARS = 1200


@dataclass(frozen=True)
class DocSearchResult:
    query: str
    hits: tuple[Hit, ...]
    notes: tuple[str, ...] = ()  # e.g. a keyword-only search; in the answer, not in --json
    # Uncommon question words no indexed doc uses (indexes/unused_words.py): a topic the
    # passages may not cover, however close they rank.
    unused_words: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "results": [{k: getattr(h, k) for k in HIT_KEYS} for h in self.hits],
            "unused_words": list(self.unused_words),
        }

    def to_text(self) -> str:
        """The passages quoted as untrusted documents, each with the citation to use."""
        from agent.llm.untrusted import QuotedDocument, quote_documents

        docs = [
            QuotedDocument(
                source=f"{h.path}:{h.start_line}-{h.end_line} ({h.heading or h.title})",
                text=h.text[:PASSAGE_CHARS],
            )
            for h in self.hits
        ]
        return "\n".join([*self.notes, quote_documents(docs)])

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(Source(h.path, h.heading, h.start_line, h.end_line) for h in self.hits)

    @property
    def matched_words(self) -> bool:
        """True when some hit shares a word with the query (not only a nearby vector)."""
        return any(h.lexical_rank is not None for h in self.hits)

    def summary(self) -> str:
        if not self.hits:
            return "no passages found"
        files = sorted({h.path for h in self.hits})
        return f"{len(self.hits)} passage(s) from {', '.join(files)}"


def search_docs(
    query: str,
    state_dir: Path,
    *,
    k: int = 5,
    filters: SearchFilters | None = None,
    chroma_url: str | None = None,
    embedder: EmbedderSpec | Embedder | None = None,
    mode: str = "hybrid",
    engine: str = "auto",
) -> DocSearchResult:
    """The passages that best answer `query`, best first (raises InputError on a bad `k`)."""
    from indexes.search import search_index
    from tools.errors import InputError

    if k < 1:
        raise InputError("-k must be at least 1")
    hits = search_index(
        query,
        state_dir,
        k=k,
        filters=filters,
        chroma_url=chroma_url,
        embedder=embedder,
        mode=mode,  # type: ignore[arg-type]  # checked by argparse choices / the JSON schema
        engine=engine,  # type: ignore[arg-type]
    )
    unused: tuple[str, ...] = ()
    if hits:
        from indexes.unused_words import unused_words

        unused = tuple(unused_words(state_dir, query))
    return DocSearchResult(query, tuple(hits), notes=unused_note(unused), unused_words=unused)


def unused_note(words: Sequence[str]) -> tuple[str, ...]:
    """The caveat for question words no indexed doc uses (none when there are none)."""
    if not words:
        return ()
    quoted = ", ".join(f"“{w}”" for w in words)
    noun = "the word" if len(words) == 1 else "the words"
    return (
        f"No indexed doc uses {noun} {quoted}: these passages match the question's other "
        "words and may not answer it.",
    )


def index_embedder(state_dir: Path) -> str | None:
    """The embedder identity the doc index was built with (None without an index)."""
    from indexes import state_db
    from tools.errors import IndexingError

    if not (state_dir / state_db.DB_FILE).exists():
        return None
    try:
        conn = state_db.open_state(state_dir, readonly=True)
    except IndexingError:
        return None
    try:
        identity = state_db.get_meta(conn, "index_identity")
    finally:
        conn.close()
    return identity.split("|")[0] if identity else None


def hits_sources(hits: Sequence[Hit]) -> tuple[Source, ...]:
    return tuple(Source(h.path, h.heading, h.start_line, h.end_line) for h in hits)
