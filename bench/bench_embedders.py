"""The bundled MiniLM's runtimes side by side in one process, on the same real chunks:
sentence-transformers (torch), the numpy forward pass, ONNX Runtime fp32 and int8.

Reports chunks/s (best of --rounds; rounds interleave the runtimes so a load change on a
shared machine does not land on one side only), each runtime's speed-up over
sentence-transformers, and its cosine to sentence-transformers' vectors (min and mean).

Usage: nice -n 10 .venv/bin/python bench/bench_embedders.py [--corpus DIR] [--chunks N]
       [--rounds R] [--json OUT]   (default corpus: agent/demo — its docs/ and reports/)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from indexes.chunking import ChunkingOptions, chunk_document
from indexes.embedders import EmbedderSpec, make_embedder, usable_threads
from indexes.loaders import Document, discover, load_document

DEMO = Path(__file__).resolve().parents[1] / "agent" / "demo"


def chunk_texts(corpus: Path, count_tokens: Any, limit: int) -> list[str]:
    roots = [corpus / "docs", corpus / "reports"] if (corpus / "docs").is_dir() else [corpus]
    files, _, _ = discover(roots, corpus)
    texts: list[str] = []
    for src in files:
        doc = load_document(src)
        if isinstance(doc, Document):
            chunks = chunk_document(doc, count_tokens, ChunkingOptions(max_tokens=256))
            texts += [c.embedding_text() for c in chunks]
    return texts[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEMO)
    parser.add_argument("--chunks", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    torch_emb: Any = make_embedder(EmbedderSpec(runtime="torch"))
    texts = chunk_texts(args.corpus, torch_emb.count_tokens, args.chunks)
    model = torch_emb._model  # sentence-transformers itself (loads torch)
    numpy_model = torch_emb._numpy_model
    fp32: Any = make_embedder(EmbedderSpec(runtime="onnx-fp32"))
    int8: Any = make_embedder(EmbedderSpec(runtime="onnx-int8"))
    runs: dict[str, Any] = {
        "sentence-transformers": lambda t: model.encode(
            t, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        ),
        "numpy": lambda t: numpy_model.encode(t, threads=usable_threads()),
        "onnx-fp32": fp32.embed_documents,
        "onnx-int8": int8.embed_documents,
    }
    for warm_up in runs.values():  # load models and sessions before timing
        warm_up(texts[:8])
    best: dict[str, float] = {name: float("inf") for name in runs}
    vectors: dict[str, Any] = {}
    for _ in range(args.rounds):
        for name, run in runs.items():
            t = time.perf_counter()
            vectors[name] = np.asarray(run(texts), dtype=np.float32)
            best[name] = min(best[name], time.perf_counter() - t)
    ref = vectors["sentence-transformers"]
    base = len(texts) / best["sentence-transformers"]
    result: dict[str, Any] = {
        "corpus": str(args.corpus),
        "chunks": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
        "rounds": args.rounds,
        "threads": usable_threads(),
    }
    for name in runs:
        cos = np.sum(vectors[name] * ref, axis=1)
        rate = len(texts) / best[name]
        result[name] = {
            "chunks_per_s": round(rate, 1),
            "speedup_vs_st": round(rate / base, 2),
            "cosine_to_st_min": round(float(cos.min()), 5),
            "cosine_to_st_mean": round(float(cos.mean()), 5),
        }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
