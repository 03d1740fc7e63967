"""DISTINCT metric aggregates: the exact bitmask rewrite of distinct days, and the others.

COUNT(DISTINCT <date column>) is computed in DuckDB as popcounts of per-64-day bitmasks;
it must equal COUNT(DISTINCT) on any rows, windows longer than 64 days included. Other
DISTINCT aggregates keep their SQL and get a CTE of their own; the sums must still match
pandas on the raw rows.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from agent.workspace import Workspace
from tools.catalog.model import Metric, MetricKind
from tools.experiments.analyze import scoped_window
from tools.experiments.query import fetch_rows
from tools.experiments.source import load_experiment
from tools.experiments.statements.distinct_days import distinct_days as _distinct_days
from tools.experiments.statements.stats_statement import _base_aggregate, stats_sql
from tools.warehouse.connection import open_warehouse


@pytest.mark.parametrize("days", [1, 28, 64, 65, 130, 400])
def test_bitmask_count_equals_count_distinct(days: int) -> None:
    lo = date(2026, 1, 1)
    rng = np.random.default_rng(days)
    units = rng.integers(0, 40, size=3000)
    offsets = rng.integers(0, days, size=3000)  # many repeated (unit, day) pairs
    con = duckdb.connect()
    values = ", ".join(
        f"({u}, DATE '{lo + timedelta(days=int(o))}')" for u, o in zip(units, offsets, strict=True)
    )
    con.execute(f"CREATE TABLE t AS SELECT * FROM (VALUES {values}) AS v(unit, dt)")
    rewritten = _distinct_days('j."dt"', lo, lo + timedelta(days=days - 1), "duckdb")
    got = con.execute(
        f"SELECT unit, {rewritten}, COUNT(DISTINCT dt) FROM t AS j GROUP BY unit"
    ).fetchall()
    assert len(got) == 40
    assert all(ours == reference for _, ours, reference in got)


def test_only_distinct_dates_in_duckdb_are_rewritten(small_demo_workspace: Path) -> None:
    table = Workspace.open(small_demo_workspace).catalog.table("engagement_daily")
    assert table is not None
    lo, hi = date(2026, 10, 1), date(2026, 10, 28)
    days, alone = _base_aggregate("COUNT(DISTINCT dt)", table, "dt", lo, hi, "duckdb")
    assert "BIT_OR" in days and not alone
    other, alone = _base_aggregate("COUNT(DISTINCT saves)", table, "dt", lo, hi, "duckdb")
    assert "DISTINCT" in other and alone
    pg, alone = _base_aggregate("COUNT(DISTINCT dt)", table, "dt", lo, hi, "postgres")
    assert "DISTINCT" in pg and alone
    plain, alone = _base_aggregate("SUM(saves)", table, "dt", lo, hi, "duckdb")
    assert plain == 'SUM(j."saves")' and not alone


def test_other_distinct_aggregates_match_pandas(small_demo_workspace: Path) -> None:
    ws = Workspace.open(small_demo_workspace)
    catalog = copy.deepcopy(ws.catalog)
    metric = Metric(
        name="distinct_save_counts",
        kind=MetricKind.MEAN,
        table="engagement_daily",
        unit="user_id",
        numerator="COUNT(DISTINCT saves)",
    )
    days = catalog.metric("active_days_per_user")
    assert days is not None
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        meta = load_experiment(catalog, wh, "hf_l1_ranker_v2")
        window = scoped_window(catalog, meta.window(28), "engagement_daily")
        layout = stats_sql(catalog, window, [metric, days], cuped=True)
        assert "post_period_distinct_1 AS (" in layout.sql
        assert "pre_period_distinct_1 AS (" in layout.sql
        rows = {r["arm"]: r for r in fetch_rows(layout.sql, catalog, wh, purpose="test")}
        con: duckdb.DuckDBPyConnection = wh.connection  # type: ignore[attr-defined]
        frame = con.execute(
            "SELECT e.user_id, e.dt, e.saves, u.variant, u.assigned FROM engagement_daily e "
            "JOIN (SELECT user_id, variant, MIN(assigned_date) AS assigned "
            "FROM experiment_assignments WHERE experiment_id = ? AND assigned_date <= ? "
            "GROUP BY ALL) u USING (user_id) "
            "WHERE e.dt BETWEEN ? AND ? AND e.surface = ?",
            [meta.experiment_id, meta.end, meta.start, meta.end, meta.scope["surface"]],
        ).df()
    post = frame[frame["dt"].dt.date >= frame["assigned"].dt.date]
    for arm, part in post.groupby("variant"):

        def raw(metric: str, key: str, row: dict[str, Any] = rows[arm]) -> float:
            # sums are of centred values: Σv = Σ(v − k) + n·k, Σv² = Σ(v − k)² + 2kΣv − nk²
            n = int(row["n"])
            k = float(row[layout.sums[(metric, "y@shift")]])
            s = float(row[layout.sums[(metric, "y")]])
            if key == "y":
                return s + n * k
            return float(row[layout.sums[(metric, "y*y")]]) + 2 * k * (s + n * k) - n * k * k

        expected = part.groupby("user_id")["saves"].nunique()
        assert raw("distinct_save_counts", "y") == pytest.approx(float(expected.sum()), rel=1e-12)
        assert raw("distinct_save_counts", "y*y") == pytest.approx(
            float((expected.astype(float) ** 2).sum()), rel=1e-12
        )
        active = part.groupby("user_id")["dt"].nunique()
        assert raw("active_days_per_user", "y") == pytest.approx(float(active.sum()), rel=1e-12)
