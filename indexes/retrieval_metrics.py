"""Retrieval quality: recall@k and mean reciprocal rank over a labelled question set.

A question is answered at rank r when the r-th distinct path returned is one of its expected
paths; recall@k is the share of expected paths found in the top k and hit@k whether any is
(both averaged over questions; they differ only for questions with several expected paths).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import fmean


@dataclass(frozen=True)
class Question:
    question: str
    expected: tuple[str, ...]
    kind: str = ""


@dataclass
class EvalReport:
    recall_at_k: float
    mrr: float
    hit_at_k: float
    k: int
    n: int
    by_kind: dict[str, tuple[float, float]] = field(default_factory=dict)  # kind: (recall, mrr)
    misses: list[str] = field(default_factory=list)  # questions with nothing found in top k


def distinct(paths: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def recall_at_k(ranked: Sequence[str], expected: Sequence[str], k: int) -> float:
    top = set(distinct(ranked)[:k])
    return sum(1 for p in expected if p in top) / len(expected)


def reciprocal_rank(ranked: Sequence[str], expected: Sequence[str]) -> float:
    for rank, path in enumerate(distinct(ranked), start=1):
        if path in expected:
            return 1.0 / rank
    return 0.0


def evaluate(
    questions: Sequence[Question], search: Callable[[str], Sequence[str]], k: int = 5
) -> EvalReport:
    """Run `search` (question -> ranked paths) on every question and score it."""
    rows: list[tuple[Question, float, float]] = []
    for q in questions:
        ranked = search(q.question)
        rows.append((q, recall_at_k(ranked, q.expected, k), reciprocal_rank(ranked, q.expected)))
    kinds = sorted({q.kind for q, *_ in rows})
    return EvalReport(
        recall_at_k=round(fmean(r for _, r, _ in rows), 4),
        mrr=round(fmean(m for *_, m in rows), 4),
        k=k,
        n=len(rows),
        hit_at_k=round(fmean(1.0 if r > 0 else 0.0 for _, r, _ in rows), 4),
        by_kind={
            kind: (
                round(fmean(r for q, r, _ in rows if q.kind == kind), 4),
                round(fmean(m for q, _, m in rows if q.kind == kind), 4),
            )
            for kind in kinds
        },
        misses=[q.question for q, r, _ in rows if r == 0.0],
    )


def load_questions(path: str) -> list[Question]:
    import yaml

    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return [Question(q["question"], tuple(q["expected"]), q.get("kind", "")) for q in raw]
