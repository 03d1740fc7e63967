"""The demo on PostgreSQL, read through a SELECT-only role in read-only sessions with a
statement timeout, answers as on DuckDB: planner rows, verdicts, statistics to 1e-9."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.nl2sql.answer import answer_question_text
from agent.workspace import Workspace
from tests.scale.conftest import workspace_on
from tests.scale.parity import DEMO_EXPERIMENTS, experiment_mismatch, planner_mismatch
from tests.scale.postgres_server import (
    PostgresServer,
    load_demo,
    start_postgres,
    why_postgres_cannot_run,
)
from tests.scale.test_spark_parity import SAMPLED
from tools.errors import QueryError
from tools.warehouse.connection import WarehouseConfig, open_warehouse

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres(
    tmp_path_factory: pytest.TempPathFactory, demo_workspace: Path
) -> Iterator[PostgresServer]:
    reason = why_postgres_cannot_run()
    if reason:
        pytest.skip(reason)
    import subprocess

    try:
        server = start_postgres()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        pytest.skip(f"cannot start PostgreSQL here: {exc}")
    try:
        load_demo(server, demo_workspace / "warehouse.duckdb", tmp_path_factory.mktemp("pg_csv"))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_ws(
    postgres: PostgresServer, demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Workspace:
    root = workspace_on(demo_workspace, tmp_path_factory.mktemp("pg_ws"), postgres.url())
    return Workspace.open(root)


@pytest.fixture(scope="module")
def answers(demo_workspace: Path, pg_ws: Workspace) -> Iterator[tuple[Any, Any]]:
    duck_ws = Workspace.open(demo_workspace)
    with (
        open_warehouse(duck_ws.settings.warehouse, duck_ws.root) as duck,
        open_warehouse(pg_ws.settings.warehouse, pg_ws.root) as pg,
    ):
        assert pg.dialect == "postgres"
        yield (
            answer_question_text(duck_ws, duck, use_llm=False),
            answer_question_text(pg_ws, pg, use_llm=False),
        )


@pytest.mark.parametrize("question", SAMPLED, ids=[q.id for q in SAMPLED])
def test_planner_rows_match_duckdb(question: Any, answers: tuple[Any, Any]) -> None:
    assert planner_mismatch(question.question, *answers) is None


@pytest.mark.parametrize("experiment_id", DEMO_EXPERIMENTS)
def test_experiment_verdict_and_sums_match_duckdb(
    experiment_id: str, demo_workspace: Path, pg_ws: Workspace
) -> None:
    duck_ws = Workspace.open(demo_workspace)
    assert experiment_mismatch(experiment_id, duck_ws, pg_ws) == []


def test_the_reader_role_cannot_write_even_outside_lablens_sessions(
    postgres: PostgresServer,
) -> None:
    import psycopg2

    conn = psycopg2.connect(postgres.admin_dsn.replace("postgres@", "lablens_reader@"))
    try:
        with conn.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DELETE FROM users")
    finally:
        conn.close()


def test_statement_timeout_holds_for_the_reader(postgres: PostgresServer, tmp_path: Path) -> None:
    with open_warehouse(WarehouseConfig(url=postgres.url(), timeout_s=1), tmp_path) as w:
        with pytest.raises(QueryError, match="longer than 1 s"):
            w.execute("SELECT COUNT(*) FROM engagement_daily a, engagement_daily b")
        assert w.execute("SELECT COUNT(*) FROM experiments").rows == [[5]]
