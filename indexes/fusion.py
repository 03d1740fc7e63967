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
