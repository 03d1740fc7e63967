"""The five planted demo experiments get the verdicts the demo plants, for the right reasons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.workspace import Workspace
from tools.experiments.analyze import analyze_experiment
from tools.experiments.results import ExperimentAnalysis
from tools.warehouse.connection import Warehouse, open_warehouse


@pytest.fixture(scope="module")
def workspace(demo_workspace: Path) -> Workspace:
    return Workspace.open(demo_workspace)


@pytest.fixture(scope="module")
def warehouse(workspace: Workspace) -> Iterator[Warehouse]:
    with open_warehouse(workspace.settings.warehouse, workspace.root) as wh:
        yield wh


_CACHE: dict[tuple[str, bool], ExperimentAnalysis] = {}


def _analyze(
    workspace: Workspace, warehouse: Warehouse, experiment_id: str, cuped: bool = True
) -> ExperimentAnalysis:
    # Each analysis scans the full demo warehouse: run each one once per test session.
    key = (experiment_id, cuped)
    if key not in _CACHE:
        _CACHE[key] = analyze_experiment(workspace.catalog, warehouse, experiment_id, cuped=cuped)
    return _CACHE[key]


def _result(analysis: ExperimentAnalysis, metric: str, variant: str = "treatment"):  # type: ignore[no-untyped-def]
    return next(m for m in analysis.metrics if m.metric == metric and m.variant == variant)


def test_hf_l1_ranker_ships_on_saves_per_user(workspace: Workspace, warehouse: Warehouse) -> None:
    a = _analyze(workspace, warehouse, "hf_l1_ranker_v2")
    assert a.verdict.verdict == "ship"
    assert a.verdict.winning_arms == ("treatment",)
    primary = _result(a, "saves_per_user")
    assert primary.role == "primary" and primary.significant and primary.estimate.cuped
    # planted +3 % saves per user: the interval must cover it
    assert primary.estimate.rel_ci_low < 0.03 < primary.estimate.rel_ci_high
    assert any(r.startswith("primary improved: saves_per_user") for r in a.verdict.reasons)
    assert any("no guardrail regressed" in r for r in a.verdict.reasons)
    assert not a.srm.flagged  # type: ignore[union-attr]


def test_search_bert_is_no_ship_on_hide_rate_guardrail(
    workspace: Workspace, warehouse: Warehouse
) -> None:
    a = _analyze(workspace, warehouse, "search_bert_relevance")
    assert a.verdict.verdict == "no_ship"
    hide = _result(a, "hide_rate")
    assert hide.role == "guardrail" and hide.significant and hide.estimate.rel_effect > 0
    assert a.verdict.reasons[0].startswith("guardrail regressed: hide_rate")
    clicks = _result(a, "clicks_per_user")
    assert clicks.significant and clicks.estimate.rel_effect > 0  # the primary did improve


def test_notif_seq_model_is_invalid_from_srm(workspace: Workspace, warehouse: Warehouse) -> None:
    a = _analyze(workspace, warehouse, "notif_seq_model")
    assert a.verdict.verdict == "invalid"
    assert a.srm is not None and a.srm.flagged and a.srm.p_value < 1e-6
    assert a.arms["control"] > a.arms["treatment"]
    assert "sample ratio mismatch" in a.verdict.reasons[0]


def test_rp_candidate_gen_is_inconclusive_with_mde(
    workspace: Workspace, warehouse: Warehouse
) -> None:
    a = _analyze(workspace, warehouse, "rp_candidate_gen_v3")
    assert a.verdict.verdict == "inconclusive"
    assert not _result(a, "saves_per_user").significant
    assert any("minimum detectable effect" in r for r in a.verdict.reasons)
    assert 0 < a.verdict.mde["treatment"] < 0.1


def test_video_boost_is_tradeoff_in_boost_high_only(
    workspace: Workspace, warehouse: Warehouse
) -> None:
    a = _analyze(workspace, warehouse, "video_boost_3arm")
    assert a.verdict.verdict == "tradeoff"
    assert set(a.arms) == {"control", "boost_low", "boost_high"}
    time_high = _result(a, "time_spent_per_user", "boost_high")
    saves_high = _result(a, "saves_per_user", "boost_high")
    assert time_high.significant and time_high.estimate.rel_effect > 0
    assert saves_high.significant and saves_high.estimate.rel_effect < 0
    assert saves_high.role == "secondary" and saves_high.p_adjusted is not None
    assert not _result(a, "time_spent_per_user", "boost_low").significant
    assert a.verdict.winning_arms == ("boost_high",)
    assert any("regressed: saves_per_user" in r for r in a.verdict.reasons)


def test_cuped_shrinks_the_interval_and_no_cuped_turns_it_off(
    workspace: Workspace, warehouse: Warehouse
) -> None:
    with_cuped = _result(_analyze(workspace, warehouse, "hf_l1_ranker_v2"), "saves_per_user")
    plain_a = _analyze(workspace, warehouse, "hf_l1_ranker_v2", cuped=False)
    plain = _result(plain_a, "saves_per_user")
    assert not plain.estimate.cuped and plain.estimate.variance_reduction is None
    assert plain_a.pre_period is None
    assert with_cuped.estimate.variance_reduction > 0.5  # type: ignore[operator]
    assert with_cuped.estimate.se < plain.estimate.se
