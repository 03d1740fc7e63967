"""How documentation indexing and search grow with the corpus: 1×, 3×, 10× the demo's docs.

    nice -n 10 .venv/bin/python -m bench.bench_docs_scale [--copies 1 3 10] [--queries 50]
        [--workdir /tmp/lablens-docs-scale] [--json OUT]

For each multiple K, a fresh workspace holds K copies of the demo's design docs and
experiment reports (the originals plus K-1 copies in their own folders, so every chunk is
indexed and embedded again: lablens has no cross-file embedding cache). It is indexed with the
bundled model by a new `lablens index --json` process under `/usr/bin/time -v` (wall, peak
memory, files/s, chunks/s), re-indexed unchanged, then searched warm in process (hybrid, dense,
lexical; p50/p95 over the demo queries) and by a cold `lablens search` process. The dense half
is one query embedding plus a matrix product, so it should stay flat; the lexical half (BM25
over chunks and documents) grows with the chunk count.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.bench_index_scale import REPO, timed_index
from bench.bench_search import cold_cli, warm_latency

DEMO = REPO / "agent" / "demo"
FOLDERS = ("docs", "reports")


def write_workspace(ws: Path, copies: int) -> None:
    shutil.rmtree(ws, ignore_errors=True)
    for folder in FOLDERS:
        shutil.copytree(DEMO / folder, ws / folder)
        for k in range(2, copies + 1):
            shutil.copytree(DEMO / folder, ws / folder / f"copy-{k:02d}")
    (ws / "lablens.toml").write_text('[docs]\npaths = ["docs", "reports"]\n')


def measure(ws: Path, copies: int, queries: int, cold_runs: int) -> dict[str, Any]:
    from indexes.embedders import EmbedderSpec, make_embedder
    from indexes.search import Mode

    write_workspace(ws, copies)
    first = timed_index(ws)
    again = timed_index(ws)
    emb = make_embedder(EmbedderSpec())
    modes: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
    warm = {m: warm_latency(ws / ".lablens", emb, queries, m) for m in modes}
    return {
        "copies": copies,
        "first_run": first,
        "unchanged_rerun": again,
        **{f"warm_{m}": warm[m] for m in modes},
        "cold_cli_search": cold_cli(ws, cold_runs),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_docs_scale", description=__doc__)
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 3, 10])
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/lablens-docs-scale"))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = []
    for copies in args.copies:
        r = measure(args.workdir / f"x{copies}", copies, args.queries, args.cold_runs)
        results.append(r)
        f = r["first_run"]
        print(
            f"{copies:>3}× demo: {f['files_indexed']:>5} files, {f['chunks_embedded']:>6} chunks | "
            f"index {f['wall_s']:>6.1f} s ({f['chunks_per_s']} chunks/s, {f['peak_rss_mb']} MB) | "
            f"unchanged {r['unchanged_rerun']['wall_s']} s | warm p50 hybrid "
            f"{r['warm_hybrid']['p50_ms']} / dense {r['warm_dense']['p50_ms']} / lexical "
            f"{r['warm_lexical']['p50_ms']} ms | cold search "
            f"{r['cold_cli_search']['median_wall_s']} s",
            file=sys.stderr,
            flush=True,
        )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
