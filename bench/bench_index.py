"""Doc-index build speed: full index of a corpus (chunks/s) beside the same chunks through the
raw embedder alone, then a re-index of the unchanged corpus (in-process and as a new process),
and what writing the exact-search mirror (vectors in the state DB) adds to a full index.

Usage: .venv/bin/python bench/bench_index.py [--corpus DIR] [--files N] [--rounds R] [--json OUT]
       (default corpus: ../shared/external/tf-rfcs, 127 TensorFlow RFCs; --files N indexes
       only the first N files, copied to a temporary folder)
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from indexes import state_db
from indexes.build import build_index
from indexes.chunking import Chunk, ChunkingOptions, chunk_document
from indexes.embedders import EmbedderSpec, make_embedder
from indexes.loaders import Document, discover, load_document

REINDEX_SCRIPT = """
import sys, time
t = time.perf_counter()
from pathlib import Path
import numpy as np

from indexes import state_db
from indexes.build import build_index
from indexes.chunking import Chunk
s = build_index([Path(sys.argv[1])], Path(sys.argv[2]), root=Path(sys.argv[1]).parent)
print(time.perf_counter() - t, s.chunks_embedded)
"""


DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "external" / "tf-rfcs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--files", type=int, default=0, help="only the first N files")
    parser.add_argument("--rounds", type=int, default=2, help="alternating raw/full rounds")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.files:
        subset = Path(tempfile.mkdtemp()) / args.corpus.name
        atexit.register(shutil.rmtree, subset.parent, True)
        subset.mkdir()
        for path in sorted(p for p in args.corpus.iterdir() if p.is_file())[: args.files]:
            shutil.copyfile(path, subset / path.name)
        args.corpus = subset
    emb = make_embedder(EmbedderSpec())
    t = time.perf_counter()
    emb.embed_documents(["warm up: load the model before timing"])
    load_s = time.perf_counter() - t
    texts = _chunk_texts(args.corpus, emb)
    mirror_s = _mirror_write_s(args.corpus, emb)

    # Raw and full runs alternate and the best of each is kept, so a load change on a shared
    # machine does not land on one side only; CPU time (all threads) is reported beside wall.
    raw: list[tuple[float, float]] = []
    full: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            raw.append(_timed(lambda: emb.embed_documents(texts)))
            state = Path(tmp) / f"run{r}" / ".lablens"
            full.append(
                _timed(
                    lambda s=state: build_index(
                        [args.corpus], s, embedder=emb, root=args.corpus.parent
                    )
                )
            )
        t = time.perf_counter()
        again = build_index([args.corpus], state, embedder=emb, root=args.corpus.parent)
        reindex_s = time.perf_counter() - t
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        out = subprocess.run(
            [sys.executable, "-c", REINDEX_SCRIPT, str(args.corpus), str(state)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        reindex_proc_s = float(out.stdout.split()[0])
        assert again.chunks_embedded == 0 and out.stdout.split()[1] == "0", out.stdout

    raw_wall, raw_cpu = min(w for w, _ in raw), min(c for _, c in raw)
    full_wall, full_cpu = min(w for w, _ in full), min(c for _, c in full)
    result = {
        "corpus": str(args.corpus),
        "files": again.files_unchanged,
        "chunks": len(texts),
        "rounds": args.rounds,
        "model_load_s": round(load_s, 2),
        "full_index_wall_s": round(full_wall, 2),
        "full_index_cpu_s": round(full_cpu, 2),
        "full_chunks_per_s": round(len(texts) / full_wall, 1),
        "raw_embed_wall_s": round(raw_wall, 2),
        "raw_embed_cpu_s": round(raw_cpu, 2),
        "raw_chunks_per_s": round(len(texts) / raw_wall, 1),
        "overhead_wall_pct": round(100 * (full_wall / raw_wall - 1), 1),
        "overhead_cpu_pct": round(100 * (full_cpu / raw_cpu - 1), 1),
        "all_runs_wall_s": {
            "raw": [round(w, 1) for w, _ in raw],
            "full": [round(w, 1) for w, _ in full],
        },
        "reindex_unchanged_s": round(reindex_s, 3),
        "reindex_pct_of_full": round(100 * reindex_s / full_wall, 2),
        "reindex_unchanged_new_process_s": round(reindex_proc_s, 3),
        "reindex_new_process_pct_of_full": round(100 * reindex_proc_s / full_wall, 2),
        "mirror_write_s": round(mirror_s, 4),
        "mirror_write_pct_of_full": round(100 * mirror_s / full_wall, 3),
        "cpu_threads": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _mirror_write_s(corpus: Path, emb: object, rounds: int = 3) -> float:
    """Extra time the mirror adds to recording every file of `corpus`: `record_file` with the
    vectors minus without them (best of `rounds`). Vector values do not change the cost, so
    random ones stand in for the model's."""
    docs = _chunks_by_doc(corpus, emb)
    dim = len(emb.embed_query("dimension probe"))  # type: ignore[attr-defined]
    gen = np.random.default_rng(0)
    vectors = [gen.standard_normal((len(chunks), dim)).astype(np.float32) for _, chunks in docs]
    best = {True: float("inf"), False: float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for with_vectors in (True, False):
                conn = state_db.open_state(Path(tmp) / f"{r}-{with_vectors}")
                t = time.perf_counter()
                for (doc, chunks), vecs in zip(docs, vectors, strict=True):
                    state_db.record_file(
                        conn,
                        doc.path,
                        doc.sha256,
                        doc.metadata,
                        chunks[0].title,
                        chunks,
                        vecs if with_vectors else None,
                    )
                best[with_vectors] = min(best[with_vectors], time.perf_counter() - t)
                conn.close()
    return max(0.0, best[True] - best[False])


def _chunks_by_doc(corpus: Path, emb: object) -> list[tuple[Document, list[Chunk]]]:
    files, _, _ = discover([corpus], corpus.parent)
    opts = ChunkingOptions(max_tokens=min(256, emb.max_tokens))  # type: ignore[attr-defined]
    out = []
    for src in files:
        doc = load_document(src)
        if isinstance(doc, Document):
            chunks = chunk_document(doc, emb.count_tokens, opts)  # type: ignore[attr-defined]
            if chunks:
                out.append((doc, chunks))
    return out


def _chunk_texts(corpus: Path, emb: object) -> list[str]:
    files, _, _ = discover([corpus], corpus.parent)
    opts = ChunkingOptions(max_tokens=min(256, emb.max_tokens))  # type: ignore[attr-defined]
    texts = []
    for src in files:
        doc = load_document(src)
        if isinstance(doc, Document):
            texts += [c.embedding_text() for c in chunk_document(doc, emb.count_tokens, opts)]  # type: ignore[attr-defined]
    return texts


if __name__ == "__main__":
    main()
