"""`lablens experiment list|summarize`: JSON shapes, human output and errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main

METRIC_KEYS = {
    "metric",
    "kind",
    "role",
    "variant",
    "control_mean",
    "treatment_mean",
    "abs_effect",
    "rel_effect",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "significant",
    "cuped",
    "mde",
    "variance_reduction",
}


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_list_json_has_every_planted_experiment(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json(capsys, "experiment", "list", "--json", "-w", str(small_demo_workspace))
    rows = {r["experiment_id"]: r for r in data["experiments"]}
    assert {
        "hf_l1_ranker_v2",
        "search_bert_relevance",
        "notif_seq_model",
        "rp_candidate_gen_v3",
        "video_boost_3arm",
    } <= set(rows)
    hf = rows["hf_l1_ranker_v2"]
    assert hf["team"] == "homefeed-ranking" and hf["surface"] == "homefeed"
    assert (hf["start"], hf["end"]) == ("2026-10-01", "2026-10-28")
    assert hf["primary_metric"] == "saves_per_user" and hf["status"] == "completed"
    assert hf["units"] > 0 and hf["name"]


def test_summarize_json_shape(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json(
        capsys,
        "experiment",
        "summarize",
        "video_boost_3arm",
        "--json",
        "-w",
        str(small_demo_workspace),
    )
    assert data["experiment_id"] == "video_boost_3arm"
    assert data["window"] == {"start": "2026-10-10", "end": "2026-10-31"}
    assert data["arms"][0]["variant"] == "control"
    assert {a["variant"] for a in data["arms"]} == {"control", "boost_low", "boost_high"}
    assert set(data["srm"]) >= {"p_value", "ok"}
    assert data["verdict"] in ("ship", "no_ship", "tradeoff", "invalid", "inconclusive")
    assert data["reasons"] and all(isinstance(r, str) for r in data["reasons"])
    assert set(data["mde"]) == {"boost_low", "boost_high"}
    for row in data["metrics"]:
        assert set(row) >= METRIC_KEYS
        assert row["role"] in ("primary", "guardrail", "secondary")
        assert row["variant"] in ("boost_low", "boost_high")
        assert row["cuped"] is True
    roles = {(r["metric"], r["role"]) for r in data["metrics"]}
    assert ("time_spent_per_user", "primary") in roles and ("hide_rate", "guardrail") in roles
    assert ("saves_per_user", "secondary") in roles


def test_summarize_no_cuped_and_segments(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json(
        capsys,
        "experiment",
        "summarize",
        "hf_l1_ranker_v2",
        "--json",
        "--no-cuped",
        "--segments",
        "platform",
        "-w",
        str(small_demo_workspace),
    )
    assert all(r["cuped"] is False and r["variance_reduction"] is None for r in data["metrics"])
    assert data["segment_columns"] == ["platform"]
    assert {s["segment"]["platform"] for s in data["segments"]} == {"ios", "android", "web"}
    assert all(
        m["metric"] in ("saves_per_user", "hide_rate", "time_spent_per_user")
        for s in data["segments"]
        for m in s["metrics"]
    )


def test_summarize_human_output_shows_srm_table_and_verdict(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["experiment", "summarize", "notif_seq_model", "-w", str(small_demo_workspace)]) == 0
    )
    out = capsys.readouterr().out
    assert "sample ratio mismatch check" in out
    assert "active_days_per_user" in out and "95% CI" in out
    assert "verdict:" in out


def test_unknown_experiment_exits_2_with_suggestion(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["experiment", "summarize", "video_boost", "--json", "-w", str(small_demo_workspace)]
    )
    assert code == 2
    err = json.loads(capsys.readouterr().out)
    assert err["error"] == "Experiment analysis problem"
    assert "video_boost_3arm" in err["hint"]


def test_summarize_caches_results_in_the_workspace_unless_told_not_to(
    small_demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(small_demo_workspace, root, ignore=shutil.ignore_patterns(".lablens"))
    cache = root / ".lablens" / "experiment-cache"
    args = ("experiment", "summarize", "hf_l1_ranker_v2", "--json", "-w", str(root))
    uncached = _json(capsys, *args, "--no-cache")
    assert not cache.exists()
    first = _json(capsys, *args)
    assert len(list(cache.glob("*.json"))) == 1
    again = _json(capsys, *args)
    assert again == first
    assert again["verdict"] == uncached["verdict"]
    assert [m["metric"] for m in again["metrics"]] == [m["metric"] for m in uncached["metrics"]]


def test_effects_reads_every_experiments_analysis_of_a_metric(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `lablens experiment effects saves`: the one-shot form of "which experiments improved saves?"
    data = _json(
        capsys, "experiment", "effects", "saves", "--json", "-w", str(small_demo_workspace)
    )
    assert data["metrics"] == ["saves_per_user", "save_rate"]
    listed = _json(capsys, "experiment", "list", "--json", "-w", str(small_demo_workspace))
    assert [e["experiment_id"] for e in data["experiments"]] == [
        e["experiment_id"] for e in listed["experiments"]
    ]
    summary = _json(
        capsys,
        "experiment",
        "summarize",
        "hf_l1_ranker_v2",
        "--json",
        "-w",
        str(small_demo_workspace),
    )
    hf = next(e for e in data["experiments"] if e["experiment_id"] == "hf_l1_ranker_v2")
    same = [m for m in summary["metrics"] if m["metric"] in ("saves_per_user", "save_rate")]
    assert [m["rel_effect"] for m in hf["metrics"]] == [m["rel_effect"] for m in same]
    assert main(["experiment", "effects", "saves", "-w", str(small_demo_workspace)]) == 0
    out = capsys.readouterr().out
    assert "not directly comparable" in out and "hf_l1_ranker_v2" in out


def test_effects_of_a_metric_the_catalog_lacks_exits_2(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["experiment", "effects", "bounce rate", "--json", "-w", str(small_demo_workspace)])
    assert code == 2
    err = json.loads(capsys.readouterr().out)
    assert "saves_per_user" in err["hint"]
