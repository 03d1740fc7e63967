"""Retrieval quality on the demo corpus with the real bundled model: hybrid beats dense-only
and lexical-only on recall@5 and MRR over tests/data/retrieval_questions.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from indexes.loaders import discover
from indexes.retrieval_metrics import EvalReport, evaluate, load_questions
from indexes.search import search_index
from indexes.state_db import manifest, open_state
from tests.conftest import indexed_small_demo
from tests.docs.conftest import DEMO_DIR

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "retrieval_questions.yaml"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def demo_index(
    tmp_path_factory: pytest.TempPathFactory, small_demo_workspace: Path, bundled_embedder: Any
) -> Path:
    """The demo's docs and reports indexed with the bundled model (the chat tests' index:
    the same files as agent/demo, built once per run)."""
    state = indexed_small_demo(tmp_path_factory, small_demo_workspace) / ".lablens"
    conn = open_state(state, readonly=True)
    try:
        indexed = set(manifest(conn))
    finally:
        conn.close()
    corpus, _, _ = discover([DEMO_DIR / "docs", DEMO_DIR / "reports"], DEMO_DIR)
    assert len(corpus) >= 20
    assert indexed == {f.rel for f in corpus}  # nothing skipped
    return state


@pytest.fixture(scope="module")
def reports(demo_index: Path, bundled_embedder: Any) -> dict[str, EvalReport]:
    questions = load_questions(str(QUESTIONS))
    assert len(questions) >= 40
    out = {}
    for mode in ("dense", "lexical", "hybrid"):  # the default engine: the exact mirror
        out[mode] = evaluate(
            questions,
            lambda q, m=mode: [  # type: ignore[misc]
                h.path for h in search_index(q, demo_index, k=10, mode=m, embedder=bundled_embedder)
            ],
        )
    for mode in ("dense", "hybrid"):
        out[f"{mode}-chroma"] = evaluate(
            questions,
            lambda q, m=mode: [  # type: ignore[misc]
                h.path
                for h in search_index(
                    q, demo_index, k=10, mode=m, embedder=bundled_embedder, engine="chroma"
                )
            ],
        )
    print(
        json.dumps(
            {
                m: {
                    "recall@5": r.recall_at_k,
                    "hit@5": r.hit_at_k,
                    "mrr": r.mrr,
                    "by_kind": r.by_kind,
                }
                for m, r in out.items()
            },
            indent=1,
        )
    )
    return out


def test_every_expected_path_exists_in_the_demo_corpus() -> None:
    for q in load_questions(str(QUESTIONS)):
        for path in q.expected:
            assert (DEMO_DIR / path).is_file(), path


def test_hybrid_beats_dense_and_lexical_on_recall_at_5(reports: dict[str, EvalReport]) -> None:
    hybrid = reports["hybrid"].recall_at_k
    assert hybrid > reports["dense"].recall_at_k
    assert hybrid > reports["lexical"].recall_at_k
    assert hybrid >= 0.95


def test_hybrid_beats_dense_and_lexical_on_mrr(reports: dict[str, EvalReport]) -> None:
    assert reports["hybrid"].mrr > reports["dense"].mrr
    assert reports["hybrid"].mrr > reports["lexical"].mrr


def test_the_exact_mirror_ranks_like_chroma_on_every_question(
    demo_index: Path, bundled_embedder: Any
) -> None:
    for q in load_questions(str(QUESTIONS)):
        exact, hnsw = (
            [
                h.chunk_id
                for h in search_index(
                    q.question,
                    demo_index,
                    k=10,
                    mode="dense",
                    max_per_file=10,
                    embedder=bundled_embedder,
                    engine=engine,
                )
            ]
            for engine in ("mirror", "chroma")
        )
        assert exact == hnsw, q.question


def test_the_mirror_scores_at_least_as_well_as_chroma(reports: dict[str, EvalReport]) -> None:
    for mode in ("dense", "hybrid"):
        assert reports[mode].recall_at_k >= reports[f"{mode}-chroma"].recall_at_k
        assert reports[mode].mrr >= reports[f"{mode}-chroma"].mrr
