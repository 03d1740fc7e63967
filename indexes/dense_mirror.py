"""Exact dense search over the vector mirror that `lablens index` keeps in the SQLite state.

Why a mirror: `import chromadb` alone takes 1–1.5 s (its package imports telemetry, grpc,
httpx and every embedding-function provider), which is most of a cold `lablens search`. The
same vectors, stored as unit-length float32 rows beside the manifest, answer the dense leg with
one numpy matrix-vector product: 20,000 × 384 is a few milliseconds.

Exact search is also a quality bonus: brute-force cosine ranks every chunk, where Chroma's HNSW
graph is approximate and can miss a true neighbour. Chroma stays the index of record (it is
written first and server mode queries it); the mirror is a read path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray


@dataclass(frozen=True)
class Mirror:
    """Every chunk vector of one committed index state: files in path order, each file's chunks
    in document order."""

    token: str  # changes with every committed write to chunks or vectors
    ids: list[str]
    matrix: NDArray[np.float32]  # (n, dim), unit rows, row i is chunk ids[i]
    spans: dict[str, tuple[int, int]]  # path -> [start, stop) rows

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])


def unit_rows(vectors: NDArray[np.floating] | Sequence[Any]) -> NDArray[np.float32]:
    """Float32 rows scaled to length 1 (zero rows stay zero), so cosine is a dot product."""
    m = np.asarray(vectors, dtype=np.float32)
    if m.ndim != 2:
        m = m.reshape(len(m), -1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    out: NDArray[np.float32] = (m / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return out


def vectors_blob(vectors: NDArray[np.floating] | Sequence[Any]) -> bytes:
    """The stored form of a file's vectors: its unit-length float32 rows, native byte order,
    back to back (one blob per file: reading 400 rows is far quicker than 20,000)."""
    return unit_rows(vectors).tobytes()


def build_mirror(token: str, rows: Sequence[tuple[str, str, bytes]]) -> Mirror | None:
    """A Mirror from (path, newline-separated chunk ids, vectors blob) rows, or None when the
    blobs do not hold one vector of a common dimension per id (then Chroma answers instead)."""
    ids: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    width = 0  # bytes per vector
    for path, id_text, blob in rows:
        file_ids = id_text.split("\n") if id_text else []
        if not file_ids or len(blob) % len(file_ids):
            return None
        if width == 0:
            width = len(blob) // len(file_ids)
        if width == 0 or width % 4 or len(blob) != width * len(file_ids):
            return None
        spans[path] = (len(ids), len(ids) + len(file_ids))
        ids.extend(file_ids)
    if not ids:
        return Mirror(token, [], np.zeros((0, 0), np.float32), {})
    matrix = np.frombuffer(b"".join(blob for _, _, blob in rows), dtype=np.float32)
    return Mirror(token, ids, matrix.reshape(len(ids), width // 4), spans)


def nearest_ids(
    mirror: Mirror, vector: NDArray[np.floating], k: int, allowed_paths: Sequence[str] | None = None
) -> list[str]:
    """The `k` chunk ids most cosine-similar to `vector`, best first (ties: the earlier row, i.e.
    path then position in the file), among chunks of `allowed_paths` when given."""
    if k <= 0 or not mirror.ids:
        return []
    query = unit_rows(vector.reshape(1, -1))[0]
    rows: NDArray[np.intp] | None = None
    if allowed_paths is not None:
        spans = sorted(mirror.spans[p] for p in set(allowed_paths) if p in mirror.spans)
        if not spans:
            return []
        rows = np.concatenate([np.arange(a, b, dtype=np.intp) for a, b in spans])
    matrix = mirror.matrix if rows is None else mirror.matrix[rows]
    # einsum, not `@`: a matrix-vector product is memory-bound, and BLAS would wake its worker
    # threads, which then spin against the query embedding (2x slower warm searches measured).
    scores = np.einsum("ij,j->i", matrix, query)
    if len(scores) > k:  # everything tied with the k-th best competes, so ties go by row
        kth = np.partition(-scores, k - 1)[k - 1]
        top = np.flatnonzero(-scores <= kth)
    else:
        top = np.arange(len(scores))
    top = top[np.lexsort((top, -scores[top]))][:k]  # by score, then row
    chosen = top if rows is None else rows[top]
    return [mirror.ids[int(i)] for i in chosen]


# One mirror per state database, reused while its token is unchanged: a long-lived process (the
# chat UI, the warm benchmark) then reads the vectors once, not on every query.
_CACHE: dict[str, Mirror] = {}
_CACHE_LOCK = threading.Lock()


def cached(db_key: str, token: str) -> Mirror | None:
    with _CACHE_LOCK:
        hit = _CACHE.get(db_key)
    return hit if hit is not None and hit.token == token else None


def remember(db_key: str, mirror: Mirror) -> None:
    with _CACHE_LOCK:
        _CACHE[db_key] = mirror
