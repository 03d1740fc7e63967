"""An in-process test embedder: the mean of per-word Gaussian vectors seeded by a hash of the
word. Texts sharing words are close, and scores are continuous, so two rankings of the same
vectors can be compared exactly (integer-valued embeddings like hashed-64 tie too often)."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from numpy.typing import NDArray

DIM = 48


class WordVectorEmbedder:
    identity = f"test:word-vectors-{DIM}"
    max_tokens = 256

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        return (
            np.stack([self._embed(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)
        )

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self._embed(text)

    def _embed(self, text: str) -> NDArray[np.float32]:
        vec = np.zeros(DIM, np.float64)
        for word in re.findall(r"\w+", text.lower()):
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
            vec += np.random.default_rng(seed).standard_normal(DIM)
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm else np.full(DIM, DIM**-0.5)).astype(np.float32)
