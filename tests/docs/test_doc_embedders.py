"""Embedders: the numpy query path equals sentence-transformers; the OpenAI-compatible client
talks to a loopback endpoint; misconfiguration is a clear error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from indexes.embedders import EmbedderSpec, make_embedder
from tests.docs.embedding_server import EmbeddingServer, hashed_vector
from tools.errors import ConfigError


@pytest.mark.slow  # loads torch + sentence-transformers (10 s to a minute on a busy machine)
def test_numpy_query_vectors_match_sentence_transformers(bundled_embedder: Any) -> None:
    texts = [
        "how does the homefeed L1 ranker pick candidates?",
        "SRM",
        "naïve café: ünïcode and hf_l1_ranker_v2 " * 40,
    ]  # the last one is truncated
    fast = bundled_embedder._numpy_model.encode(texts)
    reference = bundled_embedder.embed_documents(texts)
    assert fast.shape == reference.shape == (3, 384)
    assert np.min(np.sum(fast * reference, axis=1)) > 0.9999


def test_openai_compatible_endpoint_returns_normalized_vectors_in_order(
    embedding_server: EmbeddingServer, loopback_spec: EmbedderSpec
) -> None:
    emb = make_embedder(loopback_spec)
    texts = [f"text number {i}" for i in range(40)]  # 3 requests at batch_size 16
    vecs = emb.embed_documents(texts)
    assert embedding_server.requests == 3
    expected = np.asarray([hashed_vector(t) for t in texts], dtype=np.float32)
    assert np.allclose(vecs, expected, atol=1e-6)
    assert emb.identity == f"openai:{loopback_spec.base_url}:hashed-64"


def test_an_unreachable_endpoint_is_an_indexing_error() -> None:
    from tools.errors import IndexingError

    emb = make_embedder(EmbedderSpec(provider="openai", base_url="http://127.0.0.1:9/v1"))
    with pytest.raises(IndexingError, match="Embedding endpoint"):
        emb.embed_documents(["x"])


@pytest.mark.parametrize(
    "spec", [EmbedderSpec(provider="sentence-transformers"), EmbedderSpec(provider="openai")]
)
def test_incomplete_settings_are_config_errors(spec: EmbedderSpec) -> None:
    with pytest.raises(ConfigError):
        make_embedder(spec)
