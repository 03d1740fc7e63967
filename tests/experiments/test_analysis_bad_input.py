"""Bad experiments end in a clear `ExperimentError`, never a crash.

A copy of the small demo warehouse gets a few broken experiments: one arm only, no units, a
metric the catalog does not know, and a window the data does not cover.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from agent.workspace import Workspace
from tools.errors import ExperimentError
from tools.experiments.analyze import analyze_experiment
from tools.warehouse.connection import Warehouse, open_warehouse

BROKEN = {
    # id: (start, end, primary metric, copy assignments from, variants kept, date shift)
    "one_arm_only": (
        "2026-10-01",
        "2026-10-28",
        "saves_per_user",
        "hf_l1_ranker_v2",
        ("control",),
        0,
    ),
    "no_units": ("2026-10-01", "2026-10-28", "saves_per_user", None, (), 0),
    "ghost_metric_exp": (
        "2026-10-01",
        "2026-10-28",
        "ghost_metric",
        "hf_l1_ranker_v2",
        ("control", "treatment"),
        0,
    ),
    "after_the_data": (
        "2027-03-01",
        "2027-03-28",
        "saves_per_user",
        "hf_l1_ranker_v2",
        ("control", "treatment"),
        151,
    ),
}


@pytest.fixture(scope="module")
def workspace(small_demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("broken") / "pinlab"
    shutil.copytree(small_demo_workspace, root)
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:
        for exp_id, (start, end, primary, source, variants, shift) in BROKEN.items():
            con.execute(
                "INSERT INTO experiments VALUES (?, ?, 'qa', 'homefeed', 'broken on "
                "purpose', CAST(? AS DATE), CAST(? AS DATE), ?, 'hide_rate', "
                "'control:50,treatment:50', 'completed')",
                [exp_id, exp_id, start, end, primary],
            ).fetchall()
            if source is not None:
                con.execute(
                    "INSERT INTO experiment_assignments SELECT ?, user_id, variant, "
                    "assigned_date + CAST(? AS INTEGER) FROM experiment_assignments "
                    "WHERE experiment_id = ? AND list_contains(?, variant)",
                    [exp_id, shift, source, list(variants)],
                ).fetchall()
    finally:
        con.close()
    return Workspace.open(root)


@pytest.fixture(scope="module")
def warehouse(workspace: Workspace) -> Iterator[Warehouse]:
    with open_warehouse(workspace.settings.warehouse, workspace.root) as wh:
        yield wh


def _error(
    workspace: Workspace, warehouse: Warehouse, experiment_id: str, **kwargs: object
) -> ExperimentError:
    with pytest.raises(ExperimentError) as info:
        analyze_experiment(workspace.catalog, warehouse, experiment_id, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_unknown_id_suggests_the_closest_ones(workspace: Workspace, warehouse: Warehouse) -> None:
    err = _error(workspace, warehouse, "hf_l1_ranker")
    assert "No experiment 'hf_l1_ranker'" in err.message
    assert err.hint is not None and "hf_l1_ranker_v2" in err.hint


def test_one_arm_only_is_refused(workspace: Workspace, warehouse: Warehouse) -> None:
    err = _error(workspace, warehouse, "one_arm_only")
    assert "one arm only" in err.message


def test_zero_units_is_refused(workspace: Workspace, warehouse: Warehouse) -> None:
    err = _error(workspace, warehouse, "no_units")
    assert "no assigned units" in err.message


def test_metric_missing_from_catalog_is_named(workspace: Workspace, warehouse: Warehouse) -> None:
    err = _error(workspace, warehouse, "ghost_metric_exp")
    assert "'ghost_metric'" in err.message and "not in the catalog" in err.message


def test_window_without_data_is_refused(workspace: Workspace, warehouse: Warehouse) -> None:
    err = _error(workspace, warehouse, "after_the_data")
    assert "No rows of engagement_daily" in err.message
    assert "2027-03-01" in err.message


def test_unknown_segment_column_suggests_a_real_one(
    workspace: Workspace, warehouse: Warehouse
) -> None:
    err = _error(workspace, warehouse, "hf_l1_ranker_v2", segments=["contry"])
    assert "contry" in err.message
    assert err.hint is not None and "Did you mean `country` (for `contry`)?" in err.hint
