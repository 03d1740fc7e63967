"""Reciprocal rank fusion (Cormack et al., 2009): score(d) = Σ_lists 1 / (k + rank_d).

Ranks, not scores, are fused, so cosine distances and BM25 values never need calibrating.
"""

from __future__ import annotations

from collections.abc import Sequence

# 20 rather than the paper's 60: chosen on the demo questions, where k=60 only tied dense on
# recall@5 (figures in the docs benchmarks); a smaller k trusts each list's top ranks more.
DEFAULT_RRF_K = 20


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    k: int = DEFAULT_RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists (best first) into one list of (id, score), best first.

    Ties break by id so the order is deterministic.
    """
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


# Chunk → document aggregation: a document's score is its best chunk's fused score plus its
# next best ones, each weighted DOC_DECAY times the previous (DOC_DEPTH chunks in all). A design
# doc that answers a question usually does so in several sections; one stray chunk of another
# doc should not outrank that. Chosen on the TF RFC tuning questions (MRR 0.889 → 0.934 there,
# flat from 0.6 to 1.0) and the demo questions (0.951 → 0.954 at 0.5–0.6, lower from 0.7 up):
# 0.6 is the value both sets agree on. Figures and commands in BENCHMARKS.md.
DOC_DECAY = 0.6
DOC_DEPTH = 3


def document_scores(
    fused: Sequence[tuple[str, float]],
    path_of: dict[str, str],
    decay: float = DOC_DECAY,
    depth: int = DOC_DEPTH,
) -> list[tuple[str, float]]:
    """(path, score) best first from fused (chunk id, score) pairs, best first; chunks without
    a known path are ignored. Ties break by path."""
    per_doc: dict[str, list[float]] = {}
    for cid, score in fused:
        path = path_of.get(cid)
        if path is not None:
            per_doc.setdefault(path, []).append(score)
    totals = {
        path: sum(s * decay**i for i, s in enumerate(scores[:depth]))
        for path, scores in per_doc.items()
    }
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
