"""The statistics cache: a repeat run reads it, any change to the warehouse file bypasses it."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import pytest

from agent.workspace import Workspace
from tools.errors import ExperimentError
from tools.experiments.analyze import analyze_experiment
from tools.experiments.query import fetch_rows
from tools.experiments.result_cache import ResultCache, open_cache, warehouse_fingerprint
from tools.warehouse.connection import open_warehouse

EXPERIMENT = "hf_l1_ranker_v2"


@pytest.fixture()
def workspace(small_demo_workspace: Path, tmp_path: Path) -> Workspace:
    # A private copy: one test writes to the warehouse.
    root = tmp_path / "ws"
    shutil.copytree(small_demo_workspace, root, ignore=shutil.ignore_patterns(".lablens"))
    return Workspace.open(root)


def _analyse(ws: Workspace, cache_dir: Path | None) -> tuple[dict[str, Any], list[str]]:
    """The analysis as JSON and every statement the engine ran (an empty list: the DuckDB
    file was not even opened)."""
    ran: list[str] = []
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        execute = wh.execute

        def recording(sql: str) -> Any:
            ran.append(sql)
            return execute(sql)

        wh.execute = recording  # type: ignore[method-assign]
        analysis = analyze_experiment(ws.catalog, wh, EXPERIMENT, cache_dir=cache_dir)
        assert wh.opened == bool(ran)  # type: ignore[attr-defined]  # opened on first use only
    return analysis.to_dict(), ran


def _same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-9: DuckDB's parallel sums may differ in the last bits per run."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12, nan_ok=True)
    return bool(a == b)


def _stats_statements(ran: list[str]) -> list[str]:
    return [sql for sql in ran if "assigned_units AS" in sql]


def test_repeat_run_reads_the_cache_and_gives_the_same_analysis(
    workspace: Workspace, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    fresh, _ = _analyse(workspace, None)
    first, ran_first = _analyse(workspace, cache)
    again, ran_again = _analyse(workspace, cache)
    assert len(_stats_statements(ran_first)) == 1
    assert ran_again == []  # metadata and statistics served from the cache
    assert again == first  # exactly the stored numbers
    assert _same(first, fresh)
    assert len(list(cache.glob("*.json"))) == 1


def test_a_change_to_the_warehouse_is_never_served_from_the_cache(
    workspace: Workspace, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before, _ = _analyse(workspace, cache)
    con = duckdb.connect(str(workspace.root / "warehouse.duckdb"))
    con.execute("UPDATE engagement_daily SET saves = saves + 50 WHERE dt = DATE '2026-10-10'")
    con.close()
    after, ran = _analyse(workspace, cache)
    assert len(_stats_statements(ran)) == 1  # recomputed
    fresh, _ = _analyse(workspace, None)
    assert _same(after, fresh)
    saves = next(m for m in after["metrics"] if m["metric"] == "saves_per_user")
    old = next(m for m in before["metrics"] if m["metric"] == "saves_per_user")
    assert saves["control_mean"] > old["control_mean"]


def test_a_damaged_cache_file_is_recomputed(workspace: Workspace, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh, _ = _analyse(workspace, cache)
    for file in cache.glob("*.json"):
        file.write_text("{not json", encoding="utf-8")
    again, ran = _analyse(workspace, cache)
    assert len(_stats_statements(ran)) == 1 and _same(again, fresh)


def test_only_duckdb_file_warehouses_have_a_fingerprint(workspace: Workspace) -> None:
    class Remote:
        dialect = "postgres"
        path = None

    assert warehouse_fingerprint(Remote()) is None
    assert open_cache(Path("unused"), EXPERIMENT, Remote()) is None
    with open_warehouse(workspace.settings.warehouse, workspace.root) as wh:
        assert warehouse_fingerprint(wh) == warehouse_fingerprint(wh)  # reading changes nothing
        assert open_cache(None, EXPERIMENT, wh) is None  # caching off


def test_values_round_trip_exactly(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "exp/1 with spaces", "fp")
    rows = [
        ("control", 3, 0.1 + 0.2, math.pi * 1e300, date(2026, 10, 1), Decimal("1.25"), None),
        ("b", -1, float("nan"), 1e-310, datetime(2026, 1, 2, 3, 4, 5), Decimal("-0"), True),
    ]
    columns = ["arm", "n", "s0", "s1", "day", "d", "x"]
    cache.put("SELECT 1", columns, rows)
    got = ResultCache(tmp_path, "exp/1 with spaces", "fp").get("SELECT 1")
    assert got is not None and got.columns == columns
    for row, values in zip(rows, got.rows, strict=True):
        back = dict(zip(got.columns, values, strict=True))
        for value, column in zip(row, columns, strict=True):
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(back[column])
            else:
                assert back[column] == value and type(back[column]) is type(value)
    assert ResultCache(tmp_path, "exp/1 with spaces", "other").get("SELECT 1") is None
    assert ResultCache(tmp_path, "exp/1 with spaces", "fp").get("SELECT 2") is None


def test_values_json_cannot_hold_are_not_cached(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "e", "fp")
    cache.put("SELECT 1", ["x"], [(b"bytes",)])
    assert cache.get("SELECT 1") is None


@pytest.fixture()
def _no_leftover_tmp(tmp_path: Path) -> Iterator[None]:
    yield
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.usefixtures("_no_leftover_tmp")
def test_a_new_fingerprint_replaces_the_old_entries(tmp_path: Path) -> None:
    ResultCache(tmp_path, "e", "old").put("SELECT 1", ["x"], [(1,)])
    ResultCache(tmp_path, "e", "new").put("SELECT 2", ["x"], [(2,)])
    assert ResultCache(tmp_path, "e", "old").get("SELECT 1") is None
    kept = ResultCache(tmp_path, "e", "new").get("SELECT 2")
    assert kept is not None and (kept.columns, kept.rows) == (["x"], [[2]])


def test_a_result_cut_by_the_row_cap_is_never_cached(workspace: Workspace, tmp_path: Path) -> None:
    settings = msgspec.structs.replace(workspace.settings.warehouse, row_cap=1)
    sql = "SELECT variant, COUNT(*) AS n FROM experiment_assignments GROUP BY variant"
    with open_warehouse(settings, workspace.root) as wh:
        cache = open_cache(tmp_path / "cache", EXPERIMENT, wh)
        assert cache is not None
        for _ in range(2):  # the second run finds nothing stored: it hits the cap again
            with pytest.raises(ExperimentError, match="row cap"):
                fetch_rows(sql, workspace.catalog, wh, purpose="test", cache=cache)
    assert cache.hits == 0 and not (tmp_path / "cache").exists()
