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
