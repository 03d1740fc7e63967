"""The warehouse's sufficient statistics equal numpy's on the raw rows (small demo).

The reference reads raw rows straight from DuckDB (the test's own, independent path), builds
per-unit values in pandas — zeros for assigned units without activity, the unit's window from
its assignment date, the pre-period for CUPED, winsorisation caps — and sums them in numpy.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from agent.workspace import Workspace
from tools.catalog.model import Catalog
from tools.experiments.analyze import scoped_window
from tools.experiments.query import fetch_rows
from tools.experiments.source import load_experiment
from tools.experiments.statements.stats_statement import stats_sql
from tools.experiments.statements.window import SegmentJoin
from tools.warehouse.connection import Warehouse, open_warehouse

EXPERIMENT = "hf_l1_ranker_v2"
# Per-unit value of each catalog metric from one unit's rows, as pandas computes it.
# Per-unit value(s) of each catalog metric over a frame of rows, as pandas computes them.
REFERENCE: dict[str, Any] = {
    "saves_per_user": lambda g: [g.groupby("user_id")["saves"].sum()],
    "time_spent_per_user": lambda g: [g.groupby("user_id")["time_spent_s"].sum()],
    "active_days_per_user": lambda g: [g.groupby("user_id")["dt"].nunique()],
    "saver_rate": lambda g: [(g["saves"] > 0).groupby(g["user_id"]).any().astype(float)],
    "save_rate": lambda g: [
        g.groupby("user_id")["saves"].sum(),
        g.groupby("user_id")["impressions"].sum(),
    ],
    "hide_rate": lambda g: [
        g.groupby("user_id")["hides"].sum(),
        g.groupby("user_id")["impressions"].sum(),
    ],
}
CAP = 500.0  # small enough that some units are capped in the small demo


@pytest.fixture(scope="module")
def workspace(small_demo_workspace: Path) -> Workspace:
    return Workspace.open(small_demo_workspace)


@pytest.fixture(scope="module")
def catalog(workspace: Workspace) -> Catalog:
    capped = copy.deepcopy(workspace.catalog)
    metric = capped.metric("time_spent_per_user")
    assert metric is not None
    metric.winsorize_at = CAP
    return capped


@pytest.fixture(scope="module")
def warehouse(workspace: Workspace) -> Iterator[Warehouse]:
    with open_warehouse(workspace.settings.warehouse, workspace.root) as wh:
        yield wh


_RAW: dict[Path, duckdb.DuckDBPyConnection] = {}


def _raw(warehouse: Warehouse, sql: str, *params: Any) -> pd.DataFrame:
    # A plain read-only connection of the test's own (queries run in the warehouse's worker
    # process, so this process holds no other configuration of the file).
    path: Path = warehouse.path  # type: ignore[attr-defined]
    if path not in _RAW:
        _RAW[path] = duckdb.connect(str(path), read_only=True)
    return _RAW[path].execute(sql, list(params)).df()


def _per_unit(
    warehouse: Warehouse, start: date, end: date, pre_start: date, surface: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    units = _raw(
        warehouse,
        "SELECT user_id, variant, MIN(assigned_date) AS assigned "
        "FROM experiment_assignments WHERE experiment_id = ? AND assigned_date <= ? "
        "GROUP BY user_id, variant",
        EXPERIMENT,
        end,
    )
    rows = _raw(
        warehouse,
        "SELECT * FROM engagement_daily WHERE dt BETWEEN ? AND ? AND surface = ?",
        pre_start,
        end,
        surface,
    )
    rows = rows.merge(units, on="user_id")
    rows["dt"] = pd.to_datetime(rows["dt"]).dt.date
    rows["assigned"] = pd.to_datetime(rows["assigned"]).dt.date
    post = rows[(rows["dt"] >= rows["assigned"]) & (rows["dt"] >= start)]
    # the pre-period ends before the start and before each unit's assignment
    pre = rows[(rows["dt"] < start) & (rows["dt"] < rows["assigned"])]
    return units, pd.concat({"post": post, "pre": pre}, names=["period"]).reset_index(0)


def _values(ids: list[int], rows: pd.DataFrame, period: str, fn: Any) -> list[np.ndarray]:
    """Per-unit values for `ids`, 0 for units without rows in the period."""
    part = rows[rows["period"] == period]
    return [s.reindex(ids, fill_value=0).to_numpy(dtype=float) for s in fn(part)]


def test_sufficient_stats_match_numpy_on_raw_rows(catalog: Catalog, warehouse: Warehouse) -> None:
    meta = load_experiment(catalog, warehouse, EXPERIMENT)
    window = scoped_window(catalog, meta.window(28), "engagement_daily")
    metrics = [catalog.metric(name) for name in REFERENCE]
    layout = stats_sql(catalog, window, metrics, cuped=True)  # type: ignore[arg-type]
    sql_rows = {r["arm"]: r for r in fetch_rows(layout.sql, catalog, warehouse, purpose="test")}
    units, rows = _per_unit(
        warehouse, meta.start, meta.end, meta.start - timedelta(days=28), meta.scope["surface"]
    )
    capped_units = 0
    for name, fn in REFERENCE.items():
        for arm, arm_units in units.groupby("variant"):
            ids = list(arm_units["user_id"])
            row = sql_rows[arm]
            assert row["n"] == len(ids)
            post = _values(ids, rows, "post", fn)
            pre = _values(ids, rows, "pre", fn)
            if len(post) == 2:  # ratio: numerator and denominator, then their pre twins
                variables = {"x": post[0], "y": post[1], "px": pre[0], "py": pre[1]}
            else:
                y, x = post[0], pre[0]
                if name == "time_spent_per_user":
                    capped_units += int((y > CAP).sum())
                    y, x = np.minimum(y, CAP), np.minimum(x, CAP)
                variables = {"y": y, "x": x}
            # sums are of centred values v - shift (the shift is a column of the row)
            shift = {
                k.removesuffix("@shift"): float(row[c])
                for (m, k), c in layout.sums.items()
                if m == name and k.endswith("@shift")
            }
            centred = {v: values - shift[v] for v, values in variables.items()}
            for (metric, key), column in layout.sums.items():
                if metric != name or key.endswith("@shift"):
                    continue
                a, _, b = key.partition("*")
                terms = centred[a] * centred[b] if b else centred[a]
                scale = float(np.abs(terms).sum()) + 1.0
                assert row[column] == pytest.approx(terms.sum(), rel=1e-9, abs=1e-9 * scale), (
                    name,
                    arm,
                    key,
                )
    assert capped_units > 0  # the cap was exercised, not vacuous


def test_segment_stats_add_up_to_the_arm_stats(catalog: Catalog, warehouse: Warehouse) -> None:
    meta = load_experiment(catalog, warehouse, EXPERIMENT)
    window = scoped_window(catalog, meta.window(28), "engagement_daily")
    metric = catalog.metric("saves_per_user")
    whole = stats_sql(catalog, window, [metric], cuped=True)  # type: ignore[list-item]
    split = stats_sql(
        catalog,
        window,
        [metric],
        cuped=True,  # type: ignore[list-item]
        segment=SegmentJoin("users", "user_id", ("country",)),
    )
    total = {r["arm"]: r for r in fetch_rows(whole.sql, catalog, warehouse, purpose="test")}
    parts = fetch_rows(split.sql, catalog, warehouse, purpose="test")
    assert len({r["country"] for r in parts}) > 1
    for arm, row in total.items():
        sums = [c for (_, k), c in whole.sums.items() if not k.endswith("@shift")]
        for column in ("n", *sums):
            assert sum(r[column] for r in parts if r["arm"] == arm) == pytest.approx(row[column])
