"""The 127 TensorFlow RFCs: a real design-doc corpus indexes without a crash, every file is
indexed or skipped with a reason, and an RFC's exact title finds it first.

Vectors come from the loopback OpenAI-compatible embeddings endpoint (the suite must stay
fast: the bundled model embeds the 4,910 chunks in minutes on two cores — that run is
`bench/bench_index.py`); loading, chunking, Chroma, FTS5 and fusion are all real.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from indexes.build import build_index
from indexes.chunking import document_title
from indexes.embedders import EmbedderSpec, make_embedder
from indexes.loaders import Document, SourceFile, load_document
from indexes.search import search_index
from tests.docs.embedding_server import EmbeddingServer
from tests.shared_data import EXTERNAL

RFCS = EXTERNAL / "tf-rfcs"

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(not RFCS.is_dir(), reason=f"{RFCS} is not available"),
]


@pytest.fixture(scope="module")
def embedder() -> Iterator[Any]:
    with EmbeddingServer() as server:
        yield make_embedder(
            EmbedderSpec(
                provider="openai",
                model="hashed-64",
                base_url=server.base_url,
                api_key="test",
                batch_size=64,
            )
        )


@pytest.fixture(scope="module")
def rfc_index(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Any:
    state = tmp_path_factory.mktemp("rfcs") / ".lablens"
    return state, build_index([RFCS], state, embedder=embedder, root=RFCS.parent)


def test_every_file_is_indexed_or_skipped_with_a_reason(rfc_index: Any) -> None:
    _, summary = rfc_index
    on_disk = {p.relative_to(RFCS.parent).as_posix() for p in RFCS.iterdir() if p.is_file()}
    accounted = summary.files_indexed + len(summary.skipped) + len(summary.ignored)
    assert accounted == len(on_disk)
    assert summary.files_indexed >= 127
    assert all(s.reason for s in summary.skipped + summary.ignored)


def test_an_rfc_title_ranks_that_rfc_first(rfc_index: Any, embedder: Any) -> None:
    state, _ = rfc_index
    files = sorted(RFCS.glob("*.md"))[::6][:20]
    misses = []
    for path in files:
        doc = load_document(SourceFile(path, f"{RFCS.name}/{path.name}"))
        assert isinstance(doc, Document)
        title = document_title(doc)
        hits = search_index(title, state, k=3, embedder=embedder)
        if hits[0].path != doc.path:
            misses.append((title, doc.path, [h.path for h in hits]))
    assert misses == []
