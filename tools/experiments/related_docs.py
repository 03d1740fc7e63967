"""The report's related-documents search over the workspace's docs index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tools.errors import LablensError
from tools.experiments.report import DocSearch, RelatedDoc


def index_search(state_dir: Path) -> DocSearch:
    """A `DocSearch` over the index in `state_dir`: hybrid, or lexical when the dense part
    cannot answer (e.g. the index was built with another embedder)."""

    def search(query: str, doc_type: str, k: int) -> Sequence[RelatedDoc]:
        from indexes.search import SearchFilters, search_index

        filters = SearchFilters(doc_type=doc_type)
        try:
            hits = search_index(query, state_dir, k=k, filters=filters)
        except LablensError:
            hits = search_index(query, state_dir, k=k, mode="lexical", filters=filters)
        return [
            RelatedDoc(
                path=h.path,
                title=h.title,
                doc_type=h.doc_type,
                heading=h.heading,
                start_line=h.start_line,
            )
            for h in hits
        ]

    return search
