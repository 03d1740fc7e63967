"""Searching: citations point at the real lines, filters narrow both rankings, modes differ."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.search import SearchFilters, search_index
from tests.docs.conftest import make_small_corpus
from tests.docs.embedding_server import EmbeddingServer


@pytest.fixture(scope="module")
def module_server() -> Iterator[EmbeddingServer]:
    with EmbeddingServer() as server:
        yield server


@pytest.fixture(scope="module")
def loopback_spec(module_server: EmbeddingServer) -> EmbedderSpec:
    return EmbedderSpec(
        provider="openai", model="hashed-64", base_url=module_server.base_url, api_key="test"
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, loopback_spec: EmbedderSpec) -> Path:
    root = make_small_corpus(tmp_path_factory.mktemp("search") / "ws")
    build_index(
        [root / "docs", root / "reports"], root / ".lablens", embedder=loopback_spec, root=root
    )
    return root


def test_hits_cite_the_exact_lines_of_the_file(indexed: Path, loopback_spec: EmbedderSpec) -> None:
    hits = search_index("negatives logQ correction", indexed / ".lablens", embedder=loopback_spec)
    top = hits[0]
    assert (top.path, top.heading, top.doc_type) == ("docs/ranker.md", "Negatives", "design_doc")
    lines = (indexed / top.path).read_text().split("\n")
    assert "\n".join(lines[top.start_line - 1 : top.end_line]) == top.text
    assert "logQ correction" in top.snippet


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(doc_type="experiment_report"), {"reports/srm.md"}),
        (SearchFilters(team="growth"), {"reports/srm.md", "docs/notifications.md"}),
        (SearchFilters(since="2026-09-01"), {"reports/srm.md", "docs/notifications.md"}),
        (SearchFilters(since="2026-09-01", until="2026-09-30"), {"docs/notifications.md"}),
        (SearchFilters(path_glob="docs/*.md"), {"docs/ranker.md", "docs/notifications.md"}),
        (SearchFilters(team="nobody"), set()),
    ],
)
@pytest.mark.parametrize(
    ("mode", "engine"),
    [
        ("hybrid", "mirror"),
        ("hybrid", "chroma"),
        ("dense", "mirror"),
        ("dense", "chroma"),
        ("lexical", "auto"),
    ],
)
def test_filters_apply_to_every_mode_and_engine(
    indexed: Path,
    loopback_spec: EmbedderSpec,
    filters: SearchFilters,
    expected: set[str],
    mode: str,
    engine: str,
) -> None:
    query = "notification negatives ranker sample ratio mismatch quiet hours"
    hits = search_index(
        query,
        indexed / ".lablens",
        embedder=loopback_spec,
        k=10,
        filters=filters,
        mode=mode,
        engine=engine,
    )  # type: ignore[arg-type]
    assert {h.path for h in hits} <= expected
    if mode != "lexical":  # dense search ranks every allowed file
        assert {h.path for h in hits} == expected


def test_one_hit_per_file_by_default_more_on_request(
    indexed: Path, loopback_spec: EmbedderSpec
) -> None:
    one = search_index(
        "ranker negatives candidates", indexed / ".lablens", k=10, embedder=loopback_spec
    )
    assert len({h.path for h in one}) == len(one)
    two = search_index(
        "ranker negatives candidates",
        indexed / ".lablens",
        k=10,
        embedder=loopback_spec,
        max_per_file=3,
    )
    assert [h.path for h in two].count("docs/ranker.md") >= 2


def test_the_order_does_not_depend_on_how_many_results_are_asked_for(
    tmp_path: Path, loopback_spec: EmbedderSpec
) -> None:
    # 40 files of words drawn from one small vocabulary: every query matches most chunks, so
    # a pool of 5 chunks per leg is far from all of them and the deeper lists must fill k.
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(60)]
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(40):
        sections = [
            f"## Part {s}\n\n" + " ".join(rng.choices(vocab, k=40)) + "\n" for s in range(3)
        ]
        (docs / f"f{n:02d}.md").write_text(f"# File {n}\n\n" + "\n".join(sections))
    build_index([docs], tmp_path / "state", embedder=loopback_spec, root=tmp_path)
    for _ in range(12):
        query = " ".join(rng.sample(vocab, 4))
        ranks = {
            k: search_index(query, tmp_path / "state", k=k, candidates=5, embedder=loopback_spec)
            for k in (3, 15)
        }
        few, many = ([h.path for h in ranks[k]] for k in (3, 15))
        assert many[:3] == few, query
        assert len(many) == len(set(many)) == 15
        scores = [h.score for h in ranks[15]]
        assert scores == sorted(scores, reverse=True)


def test_searching_with_another_embedder_than_the_index_is_refused(
    indexed: Path, loopback_spec: EmbedderSpec
) -> None:
    from tools.errors import IndexingError

    other = EmbedderSpec(provider="openai", model="other", base_url=loopback_spec.base_url)
    with pytest.raises(IndexingError, match="settings now use"):
        search_index("ranker", indexed / ".lablens", embedder=other)


def test_searching_without_an_index_says_how_to_build_it(tmp_path: Path) -> None:
    from tools.errors import IndexingError

    with pytest.raises(IndexingError, match="No documentation index"):
        search_index("ranker", tmp_path / ".lablens")
