"""Doc search latency: warm search at N synthetic chunks (random vectors, random text) through
the default dense engine (the exact-search mirror) and through Chroma, and a cold
`lablens search` process end to end on the demo workspace.

Usage: .venv/bin/python bench/bench_search.py [--chunks 20000] [--queries 50] [--cold-runs 7]
                                               [--workspace DIR] [--json OUT]
The demo workspace (docs + reports) is indexed with the bundled model into --workspace on the
first run (default /tmp/lablens-bench-docs) and reused afterwards; each run first brings it up to
date with `lablens index`, which fills the mirror of a workspace indexed by an older lablens.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from indexes import state_db
from indexes.build import index_identity
from indexes.chunking import Chunk, ChunkingOptions
from indexes.embedders import Embedder, EmbedderSpec, make_embedder
from indexes.search import DenseEngine, Mode, dense_engine_in_use, search_index
from indexes.vector_store import DOCS_COLLECTION, VectorStore, open_client

REPO = Path(__file__).resolve().parents[1]
QUERIES = [
    "how does the homefeed L1 ranker pick candidates",
    "sample ratio mismatch check",
    "embedding refresh pipeline alias flip",
    "hf_l1_ranker_v2 results",
    "why did search_bert_relevance not ship",
    "notification quiet hours",
]


def build_synthetic(state: Path, n_chunks: int, emb: object, seed: int = 7) -> None:
    """n_chunks chunks in 50-chunk files: random 384-d unit vectors and random-word text, written
    the way `build_index` writes them (Chroma first, then the manifest with the mirror)."""
    rng = random.Random(seed)
    vocab = sorted(
        {w.lower() for q in QUERIES for w in q.split()} | {f"term{i}" for i in range(5000)}
    )
    conn = state_db.open_state(state)
    state_db.set_meta(conn, "index_identity", index_identity(emb, ChunkingOptions()))  # type: ignore[arg-type]
    store = VectorStore(open_client(state), DOCS_COLLECTION)
    gen = np.random.default_rng(seed)
    per_file = 50
    for f in range(n_chunks // per_file):
        path = f"synthetic/doc{f:05d}.md"
        chunks = [
            Chunk(
                id=f"{f:05d}-{i:03d}",
                path=path,
                ordinal=i,
                title=f"Doc {f}",
                heading=f"Section {i}",
                start_line=i * 10 + 1,
                end_line=i * 10 + 9,
                text=" ".join(rng.choices(vocab, k=150)),
            )
            for i in range(per_file)
        ]
        vecs = gen.standard_normal((per_file, 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store.upsert(
            [c.id for c in chunks],
            vecs,
            [c.text for c in chunks],
            [{"path": path, "start_line": c.start_line} for c in chunks],
        )
        state_db.record_file(
            conn, path, f"{f}", {"doc_type": "design_doc"}, f"Doc {f}", chunks, vecs
        )
    conn.close()


def warm_latency(
    state: Path, emb: Embedder, n: int, mode: Mode, engine: DenseEngine = "auto"
) -> dict[str, float]:
    search_index(QUERIES[0], state, embedder=emb, mode=mode, engine=engine)
    samples = []
    for i in range(n):
        t = time.perf_counter()
        search_index(QUERIES[i % len(QUERIES)], state, embedder=emb, mode=mode, engine=engine)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1),
    }


def mirror_read_ms(state: Path, runs: int = 5) -> dict[str, float]:
    """Reading the whole mirror from SQLite into a matrix, as a new process does once (a fresh
    cache key each time, so nothing is served from memory)."""
    samples = []
    for i in range(runs):
        conn = state_db.open_state(state, readonly=True)
        t = time.perf_counter()
        mirror = state_db.read_mirror(conn, f"bench-uncached-{i}")
        samples.append((time.perf_counter() - t) * 1000)
        conn.close()
        assert mirror is not None and len(mirror.ids) > 0
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


COLD_SEARCH = """
import sys
from pathlib import Path
from indexes.search import search_index
hits = search_index(sys.argv[2], Path(sys.argv[1]), engine=sys.argv[3])
assert hits and any(h.dense_rank for h in hits)
"""


def cold_process(state: Path, runs: int, engine: str) -> dict[str, float]:
    """A new Python process running one hybrid `search_index` on the synthetic index: the cold
    cost at this index size (interpreter, query embedding, reading the dense index)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    walls = []
    for i in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", COLD_SEARCH, str(state), QUERIES[i % len(QUERIES)], engine],
            check=True,
            env=env,
            capture_output=True,
        )
        walls.append(time.perf_counter() - t)
    return {"median_wall_s": round(statistics.median(walls), 3), "min_wall_s": round(min(walls), 3)}


def ensure_demo_workspace(ws: Path) -> None:
    if not (ws / ".lablens" / state_db.DB_FILE).exists():
        ws.mkdir(parents=True, exist_ok=True)
        for folder in ("docs", "reports"):
            shutil.copytree(REPO / "agent" / "demo" / folder, ws / folder, dirs_exist_ok=True)
        (ws / "lablens.toml").write_text('[docs]\npaths = ["docs", "reports"]\n')
    subprocess.run(
        [str(Path(sys.executable).with_name("lablens")), "index", "--json", "--workspace", str(ws)],
        check=True,
        capture_output=True,
    )


def cold_cli(ws: Path, runs: int, *extra: str) -> dict[str, float]:
    """Wall time per fresh process, and its CPU time (user+sys), which a busy shared machine
    inflates much less than the wall time."""
    lablens = str(Path(sys.executable).with_name("lablens"))
    walls, cpus = [], []
    for i in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run(
            [
                lablens,
                "search",
                QUERIES[i % len(QUERIES)],
                "--json",
                "--workspace",
                str(ws),
                *extra,
            ],
            capture_output=True,
            text=True,
        )
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert out.returncode == 0 and json.loads(out.stdout)["results"], out.stderr
    return {
        "median_wall_s": round(statistics.median(walls), 3),
        "min_wall_s": round(min(walls), 3),
        "median_cpu_s": round(statistics.median(cpus), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/lablens-bench-docs"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result: dict[str, object] = {}
    if args.cold_runs:
        ensure_demo_workspace(args.workspace)
        result["cold_cli_search"] = cold_cli(args.workspace, args.cold_runs)
        result["cold_cli_search_engine_chroma"] = cold_cli(
            args.workspace, args.cold_runs, "--engine", "chroma"
        )
    emb = make_embedder(EmbedderSpec())
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / ".lablens"
        t = time.perf_counter()
        build_synthetic(state, args.chunks, emb)
        result["synthetic_chunks"] = args.chunks
        result["synthetic_build_s"] = round(time.perf_counter() - t, 1)
        result["default_dense_engine"] = dense_engine_in_use(state)
        assert result["default_dense_engine"] == "mirror"  # what `lablens search` uses
        modes: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
        for mode in modes:
            result[f"warm_{mode}"] = warm_latency(state, emb, args.queries, mode)
        result["mirror_read_uncached_ms"] = mirror_read_ms(state)
        if args.cold_runs:
            for engine in ("auto", "chroma"):
                result[f"cold_process_search_{args.chunks}_{engine}"] = cold_process(
                    state, args.cold_runs, engine
                )
        for mode in modes[:2]:
            result[f"warm_{mode}_engine_chroma"] = warm_latency(
                state, emb, args.queries, mode, "chroma"
            )
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
