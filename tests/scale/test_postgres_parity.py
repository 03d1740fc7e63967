"""The small demo on PostgreSQL, read through a SELECT-only role in read-only sessions with a
statement timeout, answers as on DuckDB: every evaluation question's planner rows, the five
verdicts, every statistic to 1e-9; wrong credentials and a closed port are clean errors."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.nl2sql.answer import answer_question_text
from agent.nl2sql.evaluate import load_questions
from agent.workspace import Workspace
from tests.scale.conftest import workspace_on
from tests.scale.parity import (
    DEMO_EXPERIMENTS,
    EVAL_QUESTIONS,
    experiment_mismatch,
    planner_mismatch,
)
from tests.scale.postgres_server import (
    READER,
    PostgresServer,
    load_demo,
    start_postgres,
    why_postgres_cannot_run,
)
from tests.scale.spark_server import free_port
from tools.errors import QueryError, WarehouseError
from tools.warehouse.connection import WarehouseConfig, open_warehouse

pytestmark = [pytest.mark.server, pytest.mark.slow]

_ANCHOR, QUESTIONS = load_questions(EVAL_QUESTIONS)


@pytest.fixture(scope="module")
def postgres(
    tmp_path_factory: pytest.TempPathFactory, small_demo_workspace: Path
) -> Iterator[PostgresServer]:
    reason = why_postgres_cannot_run()
    if reason:
        pytest.skip(reason)
    try:
        server = start_postgres()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        pytest.skip(f"cannot start PostgreSQL here: {exc}")
    try:
        load_demo(server, small_demo_workspace / "warehouse.duckdb", tmp_path_factory.mktemp("csv"))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def duck_ws(small_demo_workspace: Path) -> Workspace:
    return Workspace.open(small_demo_workspace)


@pytest.fixture(scope="module")
def pg_ws(
    postgres: PostgresServer, small_demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Workspace:
    root = workspace_on(small_demo_workspace, tmp_path_factory.mktemp("pg_ws"), postgres.url())
    return Workspace.open(root)


@pytest.fixture(scope="module")
def answers(duck_ws: Workspace, pg_ws: Workspace) -> Iterator[tuple[Any, Any]]:
    with (
        open_warehouse(duck_ws.settings.warehouse, duck_ws.root) as duck,
        open_warehouse(pg_ws.settings.warehouse, pg_ws.root) as pg,
    ):
        assert pg.dialect == "postgres"
        yield (
            answer_question_text(duck_ws, duck, use_llm=False),
            answer_question_text(pg_ws, pg, use_llm=False),
        )


def test_planner_rows_match_duckdb_for_every_question(answers: tuple[Any, Any]) -> None:
    # One test for all questions: a mismatch list names every question that differs.
    mismatches = {}
    for q in QUESTIONS:
        problem = planner_mismatch(q.question, *answers)
        if problem and not problem.startswith("not answered on DuckDB"):
            mismatches[q.id] = problem
    assert mismatches == {}
    answered = sum(1 for q in QUESTIONS if answers[1](q.question).executed)
    assert answered >= 0.9 * len(QUESTIONS)


@pytest.mark.parametrize("experiment_id", DEMO_EXPERIMENTS)
def test_experiment_verdict_and_sums_match_duckdb(
    experiment_id: str, duck_ws: Workspace, pg_ws: Workspace
) -> None:
    assert experiment_mismatch(experiment_id, duck_ws, pg_ws) == []


def test_the_reader_role_cannot_write_even_outside_lablens_sessions(
    postgres: PostgresServer,
) -> None:
    import psycopg2

    dsn = postgres.admin_dsn.replace(f"postgres:{postgres.admin_password}@", "")
    conn = psycopg2.connect(dsn, user=READER, password=postgres.reader_password)
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


def test_wrong_credentials_are_a_clean_error(postgres: PostgresServer, tmp_path: Path) -> None:
    url = postgres.url(password="not-the-password")
    with (
        open_warehouse(WarehouseConfig(url=url), tmp_path) as w,
        pytest.raises(WarehouseError) as info,
    ):
        w.execute("SELECT 1")
    text = f"{info.value.message} {info.value.hint}"
    assert "password authentication failed" in text and "not-the-password" not in text
    assert str(postgres.port) in text


def test_a_closed_port_names_host_and_port(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql+psycopg2://{READER}:x@127.0.0.1:{port}/postgres"
    with (
        open_warehouse(WarehouseConfig(url=url), tmp_path) as w,
        pytest.raises(WarehouseError) as info,
    ):
        w.execute("SELECT 1")
    assert "127.0.0.1" in info.value.message and str(port) in info.value.message
