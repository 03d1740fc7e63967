"""`lablens experiment sql`: the analysis statements, readable, portable and validated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot

from agent.cli import main
from agent.workspace import Workspace
from tools.errors import ExperimentError
from tools.experiments.analysis_sql import (
    DIALECTS,
    LEVELS,
    TranspileUnsupported,
    experiment_sql,
)
from tools.experiments.collect import metric_roles, statement_for
from tools.experiments.query import fetch_rows
from tools.experiments.results import Cap
from tools.experiments.source import ExperimentMeta, load_experiment
from tools.sql.validate import validate_sql
from tools.warehouse.connection import Warehouse, open_warehouse

EXPERIMENT = "hf_l1_ranker_v2"
METRICS = ["saves_per_user", "hide_rate", "active_days_per_user", "saver_rate"]


@pytest.fixture(scope="module")
def workspace(small_demo_workspace: Path) -> Workspace:
    return Workspace.open(small_demo_workspace)


@pytest.fixture(scope="module")
def warehouse(workspace: Workspace) -> Iterator[Warehouse]:
    with open_warehouse(workspace.settings.warehouse, workspace.root) as wh:
        yield wh


@pytest.fixture(scope="module")
def meta(workspace: Workspace, warehouse: Warehouse) -> ExperimentMeta:
    return load_experiment(workspace.catalog, warehouse, EXPERIMENT)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("level", LEVELS)
def test_every_dialect_parses_back_and_validates(
    workspace: Workspace, meta: ExperimentMeta, dialect: str, level: str
) -> None:
    # Trino and BigQuery have no exact percentile aggregate: their SQL is without caps.
    cap = dialect not in ("trino", "bigquery")
    out = experiment_sql(
        workspace.catalog, meta, metrics=METRICS, dialect=dialect, level=level, cap=cap
    )
    assert out.statements
    for statement in out.statements:
        tree = sqlglot.parse_one(statement.sql, read=dialect)
        assert tree is not None
        report = validate_sql(
            statement.sql,
            workspace.catalog,
            dialect=dialect,
            read_dialect=dialect,
            default_limit=None,
        )
        assert report.valid, report.summary()
        if dialect != "duckdb":
            assert "BIT_COUNT" not in statement.sql.upper()


def test_statements_are_readable_with_a_comment_per_block(
    workspace: Workspace, meta: ExperimentMeta
) -> None:
    caps = [Cap("saves_per_user", 41.5, 0.99)]
    out = experiment_sql(
        workspace.catalog, meta, metrics=["saves_per_user"], dialect="postgres", caps=caps
    )
    sql = out.statements[0].sql
    assert "\n  SELECT\n" in sql or "\nSELECT\n" in sql  # pretty-printed
    for block in ("assigned_units", "post_period", "pre_period", "unit_values", "unit_caps"):
        assert f"-- {block}:" in sql
    assert f"{meta.start}" in sql and "surface = 'homefeed'" in sql
    assert "saves_per_user at 41.5 (p99)" in sql  # the cap with its value
    assert '"saves_per_user_sum"' in sql and '"pre_saves_per_user_x_saves_per_user_sum"' in sql
    assert any("Welch" in f for f in out.formulas)


def test_the_portable_form_gives_the_same_sums_on_duckdb(
    workspace: Workspace, warehouse: Warehouse, meta: ExperimentMeta
) -> None:
    catalog = workspace.catalog
    source = catalog.experiments
    assert source is not None
    metrics = [m for m, _ in metric_roles(catalog, meta)]
    window = meta.window(source.pre_period_days)
    fast = statement_for(catalog, window, metrics, dialect="duckdb", cuped=True)
    portable = statement_for(catalog, window, metrics, dialect="duckdb", cuped=True, portable=True)
    assert "BIT_COUNT" in fast.sql and "BIT_COUNT" not in portable.sql
    a = {r["arm"]: r for r in fetch_rows(fast.sql, catalog, warehouse, purpose="test")}
    b = {r["arm"]: r for r in fetch_rows(portable.sql, catalog, warehouse, purpose="test")}
    assert a.keys() == b.keys() and fast.sums == portable.sums
    for arm, row in a.items():
        for column, value in row.items():
            if isinstance(value, float):
                assert b[arm][column] == pytest.approx(value, rel=1e-9, abs=1e-9), column
            else:
                assert b[arm][column] == value, column


def test_units_level_adds_up_to_the_arm_sums(
    workspace: Workspace, warehouse: Warehouse, meta: ExperimentMeta
) -> None:
    units = experiment_sql(
        workspace.catalog, meta, metrics=["saves_per_user"], level="units", cap=False
    )
    arms = experiment_sql(workspace.catalog, meta, metrics=["saves_per_user"], cap=False)
    per_unit = fetch_rows(units.statements[0].sql, workspace.catalog, warehouse, purpose="test")
    per_arm = {
        r["arm"]: r
        for r in fetch_rows(arms.statements[0].sql, workspace.catalog, warehouse, purpose="test")
        if r["arm"] is not None
    }
    for arm, row in per_arm.items():
        values = [r["value"] for r in per_unit if r["arm"] == arm]
        assert len(values) == row["n"]
        shift_col = next(c for c in row if c.endswith("_shift") and "saves" in c)
        sum_col = next(c for c in row if c.endswith("_sum") and c.startswith("sum_saves"))
        total = row[sum_col] + row["n"] * row[shift_col]
        assert sum(values) == pytest.approx(total, rel=1e-9)


def test_a_construct_a_dialect_cannot_express_is_named(
    workspace: Workspace, meta: ExperimentMeta
) -> None:
    with pytest.raises(TranspileUnsupported) as info:
        experiment_sql(workspace.catalog, meta, metrics=["saves_per_user"], dialect="trino")
    assert "transpile-unsupported" in info.value.message
    assert "percentile" in info.value.message and info.value.hint and "--no-cap" in info.value.hint


def test_unknown_metric_dialect_and_level_are_user_errors(
    workspace: Workspace, meta: ExperimentMeta
) -> None:
    with pytest.raises(ExperimentError, match="not analysed") as info:
        experiment_sql(workspace.catalog, meta, metrics=["saves_per_usr"])
    assert info.value.hint and "saves_per_user" in info.value.hint
    with pytest.raises(ExperimentError, match="Unknown dialect") as info:
        experiment_sql(workspace.catalog, meta, dialect="postgress")
    assert info.value.hint and "postgres" in info.value.hint
    with pytest.raises(ExperimentError, match="Unknown level"):
        experiment_sql(workspace.catalog, meta, level="unit")


def test_cli_prints_sql_and_json(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["experiment", "sql", EXPERIMENT, "--metric", "saves_per_user", "-w"]
    assert main([*args, str(small_demo_workspace), "--dialect", "spark", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dialect"] == "spark" and data["statements"][0]["sql"].count("`") > 0
    assert main([*args, str(small_demo_workspace), "--dialect", "trino"]) == 2
    assert "transpile-unsupported" in capsys.readouterr().err
    assert main([*args, str(small_demo_workspace), "--dialect", "trino", "--no-cap"]) == 0


def test_summarize_json_carries_the_sql_it_ran(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["experiment", "summarize", EXPERIMENT, "--json", "-w", str(small_demo_workspace)])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["health"] and data["health"][0]["check"]
    assert any("assigned_units AS" in sql for sql in data["sql"])
