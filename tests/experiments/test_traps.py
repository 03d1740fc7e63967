"""Warehouses with the data problems every platform sees: the health check fires, and the
verdict is the one a careful analyst would give — never a confident wrong one.

Each test builds a small warehouse (`trap_warehouse`) with one planted problem and states
the check that must fire, its numbers, and the verdict.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.experiments.trap_warehouse import START, TRIAL, Frames, build_trap
from tools.experiments.results import ExperimentAnalysis

pytestmark = pytest.mark.slow  # the whole file (listed first, so no worker ends on it)


def _check(a: ExperimentAnalysis, name: str):  # type: ignore[no-untyped-def]
    found = [h for h in a.health if h.check == name]
    assert found, f"no {name!r} check in {[h.check for h in a.health]}"
    return found[0]


def _metric(a: ExperimentAnalysis, name: str, arm: str = "treatment"):  # type: ignore[no-untyped-def]
    return next(m for m in a.metrics if m.metric == name and m.variant == arm)


def _no_nan_text(a: ExperimentAnalysis) -> None:
    text = json.dumps(a.to_dict(), allow_nan=False)  # raises on NaN
    assert "nan" not in " ".join(a.verdict.reasons).lower()
    assert "nan" not in text.lower().replace("nano", "")


def test_clean_experiment_ships_with_every_check_ok(tmp_path: Path) -> None:
    a = build_trap(tmp_path).analyze()
    assert a.verdict.verdict == "ship"
    bad = [(h.check, h.status, h.detail) for h in a.health if h.status != "ok"]
    assert bad == []
    assert a.to_dict()["health"][0].keys() == {"check", "status", "detail"}
    primary = _metric(a, "orders_per_member")
    assert primary.estimate.rel_ci_low < 0.10 < primary.estimate.rel_ci_high


def test_units_in_both_arms_are_excluded_and_many_make_it_invalid(tmp_path: Path) -> None:
    def both_arms(f: Frames) -> None:
        control = f.trial_units[f.trial_units["arm"] == "control"].head(150).copy()
        control["arm"] = "treatment"
        f.trial_units = pd.concat([f.trial_units, control], ignore_index=True)

    a = build_trap(tmp_path, both_arms).analyze()
    check = _check(a, "multiple_exposure")
    assert check.status == "fail"
    assert "150" in check.detail and "5.0%" in check.detail
    assert a.verdict.verdict == "invalid"
    # excluded from the analysis, not counted twice
    assert a.arms == {"control": 1350, "treatment": 1500}


def test_a_few_units_in_both_arms_warn_and_are_excluded(tmp_path: Path) -> None:
    def few(f: Frames) -> None:
        control = f.trial_units[f.trial_units["arm"] == "control"].head(6).copy()
        control["arm"] = "treatment"
        f.trial_units = pd.concat([f.trial_units, control], ignore_index=True)

    a = build_trap(tmp_path, few).analyze()
    check = _check(a, "multiple_exposure")
    assert check.status == "warn" and "6 units" in check.detail
    assert a.arms == {"control": 1494, "treatment": 1500}
    assert a.verdict.verdict == "ship"


def _bots(f: Frames) -> None:
    # 8 treatment members (0.5 % of the arm) with hundreds of orders a day.
    bots = f.trial_units[f.treated()]["member_id"].head(8)
    rows = f.activity["member_id"].isin(bots)
    f.activity.loc[rows, "orders"] = f.activity.loc[rows, "orders"] * 0 + 400.0


def test_bots_are_capped_by_default_and_the_cap_is_disclosed(tmp_path: Path) -> None:
    a = build_trap(tmp_path, _bots, lift=0.0).analyze()
    assert a.verdict.verdict == "inconclusive"
    cap = next(c for c in a.caps if c.metric == "orders_per_member")
    assert cap.level == 0.99 and 0 < cap.value < 200
    assert _check(a, "outlier_cap").status == "ok"
    assert f"{cap.value:.4g}" in _check(a, "outlier_cap").detail
    data = a.to_dict()
    assert any(c["metric"] == "orders_per_member" and c["value"] for c in data["caps"])


def test_bots_without_the_cap_are_flagged_as_concentrated(tmp_path: Path) -> None:
    a = build_trap(tmp_path, _bots, lift=0.0).analyze(cap=False)
    assert a.caps == []
    check = _check(a, "concentration")
    assert check.status in ("warn", "fail") and "orders_per_member" in check.detail
    assert a.verdict.verdict != "ship"


def test_null_metric_values_in_one_arm_make_it_invalid(tmp_path: Path) -> None:
    def nulls(f: Frames) -> None:
        treated = f.activity["member_id"] % 2 == 0
        pick = treated & (f.rng.random(len(f.activity)) < 0.25)
        f.activity.loc[pick, "orders"] = np.nan

    a = build_trap(tmp_path, nulls, lift=0.0).analyze()
    check = _check(a, "missing_values")
    assert check.status == "fail"
    assert "orders" in check.detail and "treatment" in check.detail
    assert a.verdict.verdict == "invalid"


def test_assignment_before_the_start_keeps_cuped_honest(tmp_path: Path) -> None:
    def early(f: Frames) -> None:
        # 30 % assigned a week early: treated from that day on (re-generated orders).
        early_ids = f.trial_units.sample(frac=0.3, random_state=3).index
        f.trial_units.loc[early_ids, "assigned_on"] = START - timedelta(days=7)
        early_members = set(f.trial_units.loc[early_ids, "member_id"])
        treated_members = set(f.trial_units[f.treated()]["member_id"])
        rows = (
            f.activity["member_id"].isin(early_members & treated_members)
            & (pd.to_datetime(f.activity["day"]) >= pd.Timestamp(START - timedelta(days=7)))
            & (pd.to_datetime(f.activity["day"]) < pd.Timestamp(START))
        )
        f.activity.loc[rows, "orders"] = f.activity.loc[rows, "orders"] * 1.5 + 1

    a = build_trap(tmp_path, early).analyze()
    check = _check(a, "assignment_window")
    assert check.status == "warn" and "900" in check.detail and "before the start" in check.detail
    primary = _metric(a, "orders_per_member")
    assert primary.estimate.cuped
    assert primary.estimate.rel_ci_low < 0.10 < primary.estimate.rel_ci_high
    assert a.verdict.verdict == "ship"


def test_many_secondaries_do_not_dilute_the_primary(tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"lift": 0.045, "seed": 11}
    few = build_trap(tmp_path / "few", **kwargs).analyze()

    def many(f: Frames) -> None:
        f.extra_metrics = [f"extra_{i}" for i in range(8)]

    lots = build_trap(tmp_path / "many", many, **kwargs).analyze()
    p_few, p_many = _metric(few, "orders_per_member"), _metric(lots, "orders_per_member")
    assert p_few.estimate.p_value == pytest.approx(p_many.estimate.p_value)
    # the primary is its own family (one arm): its adjusted p is its p
    assert p_many.p_adjusted == pytest.approx(p_many.estimate.p_value)
    assert few.verdict.verdict == lots.verdict.verdict


def test_a_flat_guardrail_is_a_non_inferiority_test_with_its_margin(tmp_path: Path) -> None:
    a = build_trap(tmp_path).analyze()
    guard = _metric(a, "error_rate")
    assert guard.role == "guardrail" and guard.margin == 0.1  # from the catalog
    assert guard.non_inferior is True
    data = next(m for m in a.to_dict()["metrics"] if m["metric"] == "error_rate")
    assert data["margin"] == guard.margin and data["non_inferiority_p"] is not None
    assert a.verdict.verdict == "ship"


def test_a_null_variant_is_not_an_arm(tmp_path: Path) -> None:
    def null_variant(f: Frames) -> None:
        f.trial_units.loc[f.trial_units.index[:40], "arm"] = None

    a = build_trap(tmp_path, null_variant).analyze()
    assert "None" not in a.arms and None not in a.arms
    check = _check(a, "variants")
    assert check.status == "warn" and "40" in check.detail
    assert a.verdict.verdict == "ship"


def test_an_unknown_variant_makes_it_invalid(tmp_path: Path) -> None:
    def typo(f: Frames) -> None:
        f.trial_units.loc[f.trial_units.index[:60], "arm"] = "treatmnet"

    a = build_trap(tmp_path, typo).analyze()
    check = _check(a, "variants")
    assert check.status == "fail" and "treatmnet" in check.detail
    assert a.verdict.verdict == "invalid"


def test_units_missing_from_the_unit_table_unevenly_make_it_invalid(tmp_path: Path) -> None:
    def ghosts(f: Frames) -> None:
        ghost = f.trial_units[f.treated()]["member_id"].head(150)
        f.members = f.members[~f.members["member_id"].isin(ghost)]
        f.activity = f.activity[~f.activity["member_id"].isin(ghost)]

    a = build_trap(tmp_path, ghosts).analyze()
    check = _check(a, "unit_table")
    assert check.status == "fail" and "150" in check.detail and "members" in check.detail
    assert a.verdict.verdict == "invalid"


def test_duplicate_metadata_rows_make_it_invalid(tmp_path: Path) -> None:
    def duplicate(f: Frames) -> None:
        second = f.trials.copy()
        second["end_on"] = START + timedelta(days=6)
        f.trials = pd.concat([f.trials, second], ignore_index=True)

    a = build_trap(tmp_path, duplicate).analyze()
    check = _check(a, "duplicate_metadata")
    assert check.status == "fail" and "2 rows" in check.detail
    assert a.verdict.verdict == "invalid"


def test_a_window_past_the_data_is_noted(tmp_path: Path) -> None:
    def long(f: Frames) -> None:
        f.trials["end_on"] = START + timedelta(days=30)

    a = build_trap(tmp_path, long).analyze()
    check = _check(a, "data_window")
    assert check.status == "warn"
    assert (START + timedelta(days=13)).isoformat() in check.detail
    assert a.verdict.verdict == "ship"


def test_a_pre_period_before_the_data_is_noted(tmp_path: Path) -> None:
    def late_data(f: Frames) -> None:
        day = pd.to_datetime(f.activity["day"])
        f.activity = f.activity[day >= pd.Timestamp(START - timedelta(days=5))]

    a = build_trap(tmp_path, late_data).analyze()
    check = _check(a, "data_window")
    assert check.status == "warn" and "pre-period" in check.detail


def test_zero_variance_is_not_testable_never_nan(tmp_path: Path) -> None:
    def constant(f: Frames) -> None:
        treated = f.activity["member_id"] % 2 == 0
        f.activity["orders"] = np.where(treated, 4.0, 3.0)
        f.trial_units["assigned_on"] = START  # every unit's window has the same 14 rows

    a = build_trap(tmp_path, constant, dense=True).analyze(cuped=False)
    primary = _metric(a, "orders_per_member")
    assert primary.not_testable is not None and "variance" in primary.not_testable
    assert not primary.significant
    assert a.verdict.verdict == "inconclusive"
    assert any("not testable" in r and "orders_per_member" in r for r in a.verdict.reasons)
    assert not any("±0.0%" in r for r in a.verdict.reasons)
    _no_nan_text(a)


def test_a_two_unit_arm_is_not_testable(tmp_path: Path) -> None:
    def tiny(f: Frames) -> None:
        treated = f.trial_units[f.treated()]
        f.trial_units = pd.concat([f.trial_units[~f.treated()], treated.head(2)], ignore_index=True)
        f.trials["split"] = "control:99.9,treatment:0.1"

    a = build_trap(tmp_path, tiny, lift=3.0).analyze()
    primary = _metric(a, "orders_per_member")
    assert primary.not_testable is not None and "treatment" in primary.not_testable
    assert not primary.significant
    assert a.verdict.verdict == "inconclusive"
    _no_nan_text(a)


def test_a_zero_denominator_is_not_testable_and_named(tmp_path: Path) -> None:
    def no_orders(f: Frames) -> None:
        treated = f.activity["member_id"] % 2 == 0
        f.activity.loc[treated, "orders"] = 0.0
        f.activity.loc[treated, "revenue"] = 0.0

    a = build_trap(tmp_path, no_orders).analyze()
    rpo = _metric(a, "revenue_per_order")
    assert rpo.not_testable is not None
    assert "denominator" in rpo.not_testable and "treatment" in rpo.not_testable
    _no_nan_text(a)


def test_a_split_that_does_not_sum_to_100_is_flagged(tmp_path: Path) -> None:
    def short(f: Frames) -> None:
        f.trials["split"] = "control:50,treatment:40"

    a = build_trap(tmp_path, short).analyze()
    check = _check(a, "traffic_split")
    assert check.status == "fail" and "90" in check.detail
    assert a.verdict.verdict == "invalid"


def test_precision_at_1e12_matches_the_unshifted_twin(tmp_path: Path) -> None:
    def same_days(f: Frames) -> None:
        f.trial_units["assigned_on"] = START  # everyone's window has the same 14 days
        f.trials["primary_metric"] = "revenue_per_member"

    def huge(f: Frames) -> None:
        same_days(f)
        f.activity["revenue"] = f.activity["revenue"] + 1e12

    small = build_trap(tmp_path / "small", same_days, dense=True).analyze(cap=False, cuped=False)
    large = build_trap(tmp_path / "large", huge, dense=True).analyze(cap=False, cuped=False)
    s, g = _metric(small, "revenue_per_member"), _metric(large, "revenue_per_member")
    assert g.estimate.abs_effect == pytest.approx(s.estimate.abs_effect, rel=1e-6, abs=1e-3)
    assert g.estimate.se == pytest.approx(s.estimate.se, rel=1e-6)
    assert g.estimate.p_value == pytest.approx(s.estimate.p_value, rel=1e-4)


def test_trial_id_is_the_only_experiment(tmp_path: Path) -> None:
    # The generator itself: one metadata row, two arms, 14 + 14 days of activity.
    a = build_trap(tmp_path).analyze()
    assert a.meta.experiment_id == TRIAL and set(a.arms) == {"control", "treatment"}


def test_the_report_shows_health_first_caps_and_the_sql(tmp_path: Path) -> None:
    from tools.experiments.report import write_report

    def nulls(f: Frames) -> None:
        treated = f.activity["member_id"] % 2 == 0
        f.activity.loc[treated & (f.rng.random(len(f.activity)) < 0.25), "orders"] = np.nan

    trap = build_trap(tmp_path, nulls)
    a = trap.analyze()
    with trap.open() as wh:
        files = write_report(a, tmp_path / "r.md", catalog=trap.catalog, warehouse=wh, search=None)
    text = files.markdown.read_text(encoding="utf-8")
    assert text.index("## Health checks") < text.index("**Decision: invalid**")
    assert "| missing_values | FAIL |" in text
    assert "winsorised per unit: orders_per_member ≤" in text
    guard = next(line for line in text.splitlines() if line.startswith("| error_rate "))
    assert "| — |" in guard and "within 10.0%" in guard  # "not shown within" or "within"
    assert "## Appendix: the SQL behind these numbers" in text and "assigned_units AS" in text
