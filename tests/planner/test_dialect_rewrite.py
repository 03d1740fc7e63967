"""`lablens sql QUESTION --dialect D` shows the query for another engine: a rewrite that the
other engine's validator refuses keeps its problems as `Problem`s, so --json still renders."""

from __future__ import annotations

from pathlib import Path

from agent.nl2sql.command import _rewrite_for
from tools.catalog.load import load_catalog
from tools.planner.sql_answer import SqlAnswer
from tools.sql.problems import Problem


def test_a_refused_rewrite_keeps_problems_and_renders(small_demo_workspace: Path) -> None:
    catalog = load_catalog(small_demo_workspace / "catalog.yaml")
    answer = SqlAnswer(
        question="which surfaces start with s",
        sql="SELECT regexp_matches(surface, '^s') AS s FROM engagement_daily",
        dialect="duckdb",
        valid=True,
        source="planner",
    )
    _rewrite_for(answer, "sqlite", catalog, 1000)
    assert not answer.valid and answer.errors
    assert all(isinstance(p, Problem) for p in answer.errors)
    assert answer.to_dict()["errors"][0]["code"] == answer.errors[0].code


def test_an_approximate_rewrite_says_so_in_the_notes(small_demo_workspace: Path) -> None:
    catalog = load_catalog(small_demo_workspace / "catalog.yaml")
    answer = SqlAnswer(
        question="median time spent",
        sql=("SELECT MEDIAN(time_spent_s) AS m FROM engagement_daily WHERE dt = DATE '2026-10-01'"),
        dialect="duckdb",
        valid=True,
        source="planner",
    )
    _rewrite_for(answer, "trino", catalog, 1000)
    assert answer.valid and "APPROX_PERCENTILE" in answer.sql.upper()
    assert any("approximation" in note for note in answer.notes)
    assert "approximation" in " ".join(answer.to_dict()["notes"])
