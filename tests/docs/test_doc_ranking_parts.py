"""Pure parts of search: reciprocal rank fusion, FTS5 query building, snippets."""

from __future__ import annotations

import sqlite3

import pytest

from indexes.fusion import document_scores, reciprocal_rank_fusion
from indexes.lexical import fts_query, query_terms
from indexes.search import make_snippet


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    assert [i for i, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == 1 / 61 + 1 / 62


def test_a_document_answering_in_several_chunks_outranks_one_stray_chunk() -> None:
    fused = [("x1", 0.050), ("a1", 0.048), ("a2", 0.045), ("a3", 0.040), ("a4", 0.039)]
    path_of = {"x1": "stray.md", "a1": "a.md", "a2": "a.md", "a3": "a.md", "a4": "a.md"}
    ranked = document_scores(fused, path_of, decay=0.6, depth=3)
    assert [p for p, _ in ranked] == ["a.md", "stray.md"]
    assert ranked[0][1] == pytest.approx(0.048 + 0.6 * 0.045 + 0.36 * 0.040)  # a4 not counted
    assert document_scores(fused, path_of, depth=1)[0][0] == "stray.md"  # max aggregation


def test_query_terms_drop_stopwords_and_keep_identifiers() -> None:
    assert query_terms("How does the hf_l1_ranker_v2 pick candidates?") == [
        "hf_l1_ranker_v2",
        "pick",
        "candidates",
    ]


def test_fts_query_is_safe_for_any_user_text() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    conn.execute("INSERT INTO t VALUES ('the hf l1 ranker v2 uses negatives')")
    for text in ['NEAR("x" AND) -y: "unbalanced', "col:value OR", "hf_l1_ranker_v2 ^*"]:
        q = fts_query(text)
        assert q is not None
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (q,)).fetchall()  # must not raise
    hits = conn.execute("SELECT * FROM t WHERE t MATCH ?", (fts_query("hf_l1_ranker_v2"),))
    assert len(hits.fetchall()) == 1
    assert fts_query("the of and?") is None


def test_snippet_centres_on_the_query_terms() -> None:
    text = "filler " * 100 + "the SRM check failed on notifications " + "filler " * 100
    snippet = make_snippet(text, ["srm", "notifications"], width=80)
    assert "SRM check failed on notifications" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
