"""`lablens index` at team scale: N small Markdown files (deterministic text, about 0.7 KB
each) in a fresh workspace, indexed by a new `lablens index --json` process under
`/usr/bin/time -v`: peak memory (maximum resident set size), wall time, files/s, chunks/s;
then the unchanged re-index.

Usage: nice -n 10 .venv/bin/python bench/bench_index_scale.py [--files 10000] [--corpus DIR]
       [--workdir /tmp/lablens-scale] [--loopback] [--json OUT]
       --corpus DIR indexes a copy of DIR (e.g. ../shared/external/tf-rfcs) instead;
       --loopback embeds through the tests' hashed-vector HTTP endpoint on 127.0.0.1 instead of
       the bundled model: what the indexer itself costs, per file and in memory, with the
       model's share taken out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORDS = [
    *[
        "ranker",
        "candidate",
        "retrieval",
        "embedding",
        "feature",
        "pipeline",
        "backfill",
        "experiment",
        "guardrail",
    ],
    *[
        "latency",
        "serving",
        "shard",
        "replica",
        "cache",
        "index",
        "refresh",
        "alias",
        "metric",
        "variance",
        "holdout",
    ],
    *[
        "cohort",
        "session",
        "surface",
        "homefeed",
        "search",
        "notification",
        "creator",
        "quality",
        "diversity",
    ],
    *[
        "freshness",
        "calibration",
        "negative",
        "sampling",
        "tower",
        "attention",
        "transformer",
        "batch",
        "window",
    ],
]


def write_corpus(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(n):
        sub = folder / f"team{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(" ".join(rng.choices(WORDS, k=25)) + "." for _ in range(3))
        (sub / f"note-{i:06d}.md").write_text(
            f"---\ntitle: Note {i}\nteam: team{i % 20:02d}\ndate: 2026-{1 + i % 12:02d}-15\n---\n"
            f"# Note {i}\n\n## Context\n\n{body}\n\n## Decision\n\n"
            + " ".join(rng.choices(WORDS, k=30))
            + ".\n"
        )


def timed_index(ws: Path) -> dict[str, float]:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "agent", "index", "--json", "-w", str(ws)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode not in (0, 3):
        raise SystemExit(f"index failed ({out.returncode}): {out.stderr[-2000:]}")
    summary = json.loads(out.stdout)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))  # type: ignore[union-attr]
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):(\d+\.\d+)", out.stderr)
    assert wall is not None
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    return {
        "files_indexed": summary["files_indexed"],
        "files_unchanged": summary["files_unchanged"],
        "chunks_embedded": summary["chunks_embedded"],
        "peak_rss_mb": round(rss_kb / 1024, 1),
        "wall_s": round(seconds, 1),
        "files_per_s": round(
            max(summary["files_indexed"], summary["files_unchanged"]) / seconds, 1
        ),
        "chunks_per_s": round(summary["chunks_embedded"] / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lablens-scale"))
    parser.add_argument("--loopback", action="store_true", help="hashed vectors over HTTP")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    ws = args.workdir
    shutil.rmtree(ws, ignore_errors=True)
    docs = ws / "docs"
    if args.corpus:
        shutil.copytree(args.corpus, docs)
    else:
        write_corpus(docs, args.files)
    config = '[docs]\npaths = ["docs"]\n'
    server = None
    if args.loopback:
        sys.path.insert(0, str(REPO))
        from tests.docs.embedding_server import EmbeddingServer

        server = EmbeddingServer().__enter__()
        config += (
            '\n[embeddings]\nprovider = "openai"\nmodel = "hashed-64"\n'
            f'base_url = "{server.base_url}"\napi_key = "k"\n'
        )
    (ws / "lablens.toml").write_text(config)
    try:
        first = timed_index(ws)
        again = timed_index(ws)
    finally:
        if server is not None:
            server.__exit__(None, None, None)
    result = {
        "corpus": str(args.corpus or f"{args.files} generated files"),
        "embedder": "loopback hashed-64" if args.loopback else "bundled MiniLM",
        "first_run": first,
        "unchanged_rerun": again,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
