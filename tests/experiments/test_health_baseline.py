"""The benchmark's baseline without health checks (`stats_sql(health=False)`) does the same
analysis as lablens, minus the checks: on the clean small demo, every estimate and verdict
equals the full run's, so the time between the two is what the checks cost
(`bench/bench_experiment.py`, BENCHMARKS.md)."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from pathlib import Path

import pytest

from agent.workspace import Workspace
from tools.experiments import collect
from tools.experiments.analyze import analyze_experiment
from tools.experiments.statements.stats_statement import stats_sql
from tools.experiments.stats.estimate import EffectEstimate
from tools.warehouse.connection import open_warehouse

EXPERIMENTS = ("hf_l1_ranker_v2", "notif_seq_model")


def _numbers(estimate: EffectEstimate) -> dict[str, object]:
    return {k: v for k, v in asdict(estimate).items() if v is not None}


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_without_health_checks_the_estimates_and_verdict_are_the_same(
    small_demo_workspace: Path, experiment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.open(small_demo_workspace)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        full = analyze_experiment(ws.catalog, wh, experiment, cap=False)
        monkeypatch.setattr(collect, "stats_sql", partial(stats_sql, health=False))
        bare = analyze_experiment(ws.catalog, wh, experiment, cap=False)
    statement = bare.sql[-1]
    assert "units_in_several_arms" in statement and "_null_rows" not in statement
    assert "top_thresholds" not in statement and len(statement) < len(full.sql[-1])
    assert bare.verdict.verdict == full.verdict.verdict
    assert bare.arms == full.arms
    assert len(bare.metrics) == len(full.metrics)
    for b, f in zip(bare.metrics, full.metrics, strict=True):
        # The same sums, added in another order by the engine's threads.
        assert _numbers(b.estimate) == pytest.approx(_numbers(f.estimate), rel=1e-9, abs=1e-12)
    # The counts the baseline leaves out read as clear (its dates are unknown, so the data
    # window warns); the full run computed them: the concentration check is its alone.
    assert {c.check for c in full.health} > {c.check for c in bare.health}
    assert all(
        c.status == "ok" for c in bare.health if c.check not in ("outlier_cap", "data_window")
    )
