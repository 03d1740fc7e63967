"""Crash safety and concurrency: a run killed with SIGKILL at any point is repaired by the
next run into exactly what a fresh build gives; two runs on one workspace never interleave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from tests.docs.conftest import write
from tests.docs.embedding_server import EmbeddingServer
from tests.docs.index_snapshot import snapshot

REPO = Path(__file__).resolve().parents[2]
WORKER = """
import sys
from pathlib import Path
from indexes.build import build_index
from indexes.embedders import EmbedderSpec
root = Path(sys.argv[1])
spec = EmbedderSpec(provider="openai", model="hashed-64", base_url=sys.argv[2], api_key="t",
                    batch_size=2)
build_index([root / "docs"], root / ".lablens", embedder=spec, root=root, embed_group=2)
"""


def _corpus(root: Path, n: int = 24) -> Path:
    for i in range(n):
        write(
            root / "docs" / f"doc{i:02d}.md",
            f"# Doc {i}\n\n## Part A\n\nAlpha text {i} about rankers.\n\n"
            f"## Part B\n\nBeta text {i} about notifications and saves.\n",
        )
    return root


def _start_worker(root: Path, server: EmbeddingServer) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(root), server.base_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_requests(server: EmbeddingServer, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while server.requests < n:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "worker made no progress"
        time.sleep(0.005)


@pytest.mark.slow
def test_kill_9_at_several_points_is_repaired_to_a_fresh_build(tmp_path: Path) -> None:
    with EmbeddingServer(delay_s=0.02) as server:
        spec = EmbedderSpec(
            provider="openai", model="hashed-64", base_url=server.base_url, api_key="t"
        )
        fresh = _corpus(tmp_path / "fresh")
        build_index([fresh / "docs"], fresh / ".lablens", embedder=spec, root=fresh)
        crashed = _corpus(tmp_path / "crashed")
        for after in (1, 6, 6):  # each run resumes where the last stopped; 24 requests in all
            proc = _start_worker(crashed, server)
            _wait_for_requests(server, server.requests + after, proc)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stderr.close()  # type: ignore[union-attr]
        partial = snapshot(crashed / ".lablens")
        assert 0 < len(partial["files"]) < 24  # the kills really interrupted the build
        summary = build_index([crashed / "docs"], crashed / ".lablens", embedder=spec, root=crashed)
        assert summary.files_unchanged == len(partial["files"])
    assert snapshot(crashed / ".lablens") == snapshot(fresh / ".lablens")


@pytest.mark.slow
def test_a_second_run_refuses_while_one_holds_the_lock_or_waits_for_it(tmp_path: Path) -> None:
    from tools.errors import IndexingError

    root = _corpus(tmp_path / "ws", n=6)
    with EmbeddingServer(delay_s=0.15) as server:
        spec = EmbedderSpec(
            provider="openai", model="hashed-64", base_url=server.base_url, api_key="t"
        )
        proc = _start_worker(root, server)
        _wait_for_requests(server, 1, proc)
        with pytest.raises(IndexingError, match=r"Another index run \(pid \d+\)"):
            build_index([root / "docs"], root / ".lablens", embedder=spec, root=root)
        summary = build_index(
            [root / "docs"], root / ".lablens", embedder=spec, root=root, lock_wait_s=60
        )
        assert proc.wait(timeout=60) == 0
        proc.stderr.close()  # type: ignore[union-attr]
    assert summary.files_unchanged == 6 and summary.files_indexed == 0
