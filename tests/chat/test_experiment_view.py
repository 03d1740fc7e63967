"""The experiment block draws the daily metric by arm when the result carries its series
(computed here by the real warehouse aggregation, `tools.experiments.daily`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from agent.chat.experiment_view import DailyChart, EffectsChart, ExperimentView

pytestmark = pytest.mark.asyncio


def experiment_data(ws_root: Path, experiment_id: str) -> dict[str, Any]:
    from agent.workspace import Workspace
    from tools.experiments.analyze import analyze_experiment
    from tools.experiments.daily import fetch_daily
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(ws_root)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        analysis = analyze_experiment(ws.catalog, wh, experiment_id)
        metric = ws.catalog.metric(analysis.meta.primary_metric)
        assert metric is not None
        series = fetch_daily(ws.catalog, wh, analysis.meta.window(0), [metric])
    data = analysis.to_dict()
    data["daily"] = {
        m: {a: [(d.isoformat(), v) for d, v in pts] for a, pts in arms.items()}
        for m, arms in series.items()
    }
    return data


class _Host(App[None]):
    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        yield ExperimentView(self.data)


async def test_daily_series_becomes_a_chart_per_arm(small_demo_workspace: Path) -> None:
    data = experiment_data(small_demo_workspace, "video_boost_3arm")
    app = _Host(data)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        chart = app.query_one(DailyChart)
        assert set(chart.arms) == {"control", "boost_low", "boost_high"}
        assert all(len(points) > 20 for points in chart.arms.values())
        effects = app.query_one(EffectsChart).effects
        assert {e.variant for e in effects} == {"boost_low", "boost_high"}
