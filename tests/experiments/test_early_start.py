"""The worker starts early for a run the cache cannot answer, and never for one it can."""

from __future__ import annotations

import shutil
from pathlib import Path

from agent.workspace import Workspace
from tools.experiments.analyze import analyze_experiment
from tools.experiments.early_start import start_unless_cached
from tools.warehouse.connection import open_warehouse

EXPERIMENT = "hf_l1_ranker_v2"


def test_only_a_run_the_cache_cannot_answer_starts_the_worker_early(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(small_demo_workspace, root, ignore=shutil.ignore_patterns(".lablens"))
    ws = Workspace.open(root)
    cache_dir = tmp_path / "cache"
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        assert start_unless_cached(wh, cache_dir, EXPERIMENT)  # empty cache: started
        assert wh.opened  # type: ignore[attr-defined]
        analyze_experiment(ws.catalog, wh, EXPERIMENT, cache_dir=cache_dir)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        assert not start_unless_cached(wh, cache_dir, EXPERIMENT)  # the cache answers
        analyze_experiment(ws.catalog, wh, EXPERIMENT, cache_dir=cache_dir)
        assert not wh.opened  # type: ignore[attr-defined]
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        assert start_unless_cached(wh, None, EXPERIMENT)  # no cache: always started


def test_a_warehouse_without_a_worker_is_left_alone(tmp_path: Path) -> None:
    class Remote:
        dialect = "postgres"

    assert not start_unless_cached(Remote(), tmp_path, EXPERIMENT)


_PROBE = """
import sys
from agent.workspace import Workspace
from tools.experiments.early_start import start_unless_cached
from tools.warehouse.connection import open_warehouse

ws = Workspace.open(sys.argv[1])
cache = None if sys.argv[2] == "-" else __import__("pathlib").Path(sys.argv[2])
with open_warehouse(ws.settings.warehouse, ws.root) as wh:
    started = start_unless_cached(wh, cache, "hf_l1_ranker_v2")
    loaded = [m for m in ("tools.sql.rules", "sqlglot.dialects.duckdb") if m in sys.modules]
print(started, ",".join(loaded))
"""


def test_a_first_run_loads_the_validator_while_the_worker_starts_and_a_cached_run_never(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    root = tmp_path / "ws"
    shutil.copytree(small_demo_workspace, root, ignore=shutil.ignore_patterns(".lablens"))
    cache_dir = tmp_path / "cache"

    def probe(cache: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _PROBE, str(root), cache],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[2],
        ).stdout.strip()

    assert probe("-") == "True tools.sql.rules,sqlglot.dialects.duckdb"
    ws = Workspace.open(root)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        analyze_experiment(ws.catalog, wh, EXPERIMENT, cache_dir=cache_dir)
    # The cache answers: no worker, and neither the validator nor the dialect is imported.
    assert probe(str(cache_dir)) == "False"
