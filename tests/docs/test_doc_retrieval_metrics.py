"""recall@k, hit@k and MRR on hand-checked rankings."""

from __future__ import annotations

from indexes.retrieval_metrics import Question, evaluate, recall_at_k, reciprocal_rank


def test_metrics_use_distinct_paths_in_rank_order() -> None:
    ranked = ["a", "a", "b", "c", "d", "e", "f"]
    assert recall_at_k(ranked, ["f"], 5) == 0.0  # f is the 6th distinct path
    assert recall_at_k(ranked, ["b", "z"], 5) == 0.5
    assert reciprocal_rank(ranked, ["c"]) == 1 / 3


def test_evaluate_averages_over_questions_and_kinds() -> None:
    questions = [Question("q1", ("a",), "keyword"), Question("q2", ("x", "b"), "cross")]
    report = evaluate(questions, lambda q: ["a", "b"] if q == "q1" else ["b", "a"], k=5)
    assert (report.recall_at_k, report.hit_at_k, report.mrr) == (0.75, 1.0, 1.0)
    assert report.by_kind == {"cross": (0.5, 1.0), "keyword": (1.0, 1.0)}
    assert report.misses == []
