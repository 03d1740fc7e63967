"""The SQLAlchemy executor against a real PostgreSQL, started in a temp folder for this module.

Skips cleanly when the PostgreSQL server binaries (initdb, pg_ctl) or psycopg2 are absent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sql.postgres_server import Unavailable, running_postgres
from tools.catalog.model import Catalog, Column, Table
from tools.errors import QueryError
from tools.warehouse.connection import SQLAlchemyWarehouse, WarehouseConfig, open_warehouse
from tools.warehouse.run import run_validated

pytestmark = pytest.mark.server


USERS_SQL = [
    "CREATE TABLE users (user_id BIGINT, country TEXT)",
    "INSERT INTO users SELECT g, (ARRAY['US','FR','JP'])[g % 3 + 1] FROM generate_series(0, 59) g",
]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        with running_postgres(USERS_SQL) as url:
            yield url
    except Unavailable as exc:
        pytest.skip(str(exc))


CATALOG = Catalog(
    dialect="postgres",
    tables=[
        Table(
            name="users",
            columns=[Column(name="user_id", type="BIGINT"), Column(name="country", type="VARCHAR")],
        )
    ],
)


@pytest.fixture
def warehouse(postgres_url: str, tmp_path: Path) -> Iterator[SQLAlchemyWarehouse]:
    with open_warehouse(WarehouseConfig(url=postgres_url, timeout_s=2, row_cap=10), tmp_path) as w:
        assert isinstance(w, SQLAlchemyWarehouse)
        yield w


def test_dialect_comes_from_the_url(warehouse: SQLAlchemyWarehouse) -> None:
    assert warehouse.dialect == "postgres"


def test_validated_query_runs(warehouse: SQLAlchemyWarehouse) -> None:
    report, result = run_validated(
        "SELECT country, count(*) AS n FROM users GROUP BY country ORDER BY country",
        CATALOG,
        warehouse,
    )
    assert report.valid and result is not None
    assert result.rows == [["FR", 20], ["JP", 20], ["US", 20]]


def test_duckdb_sql_is_transpiled_for_postgres(warehouse: SQLAlchemyWarehouse) -> None:
    report, result = run_validated(
        "SELECT count_if(user_id > 50) AS c FROM users", CATALOG, warehouse, read_dialect="duckdb"
    )
    assert report.valid and result is not None and result.rows == [[9]]


def test_row_cap(warehouse: SQLAlchemyWarehouse) -> None:
    result = warehouse.execute("SELECT user_id FROM users ORDER BY user_id")
    assert result.row_count == 10 and result.truncated


def test_session_is_read_only(warehouse: SQLAlchemyWarehouse) -> None:
    with pytest.raises(QueryError, match="read-only transaction"):
        warehouse.execute("CREATE TABLE t (a INT)")
    with pytest.raises(QueryError, match="read-only transaction"):
        warehouse.execute("DELETE FROM users")
    assert warehouse.execute("SELECT count(*) FROM users").rows == [[60]]


def test_read_only_cannot_be_switched_off_inside_the_statement(
    warehouse: SQLAlchemyWarehouse,
) -> None:
    with pytest.raises(QueryError):
        warehouse.execute("SET TRANSACTION READ WRITE; DELETE FROM users")
    assert warehouse.execute("SELECT count(*) FROM users").rows == [[60]]


def test_session_settings_do_not_leak_into_the_next_statement(
    warehouse: SQLAlchemyWarehouse,
) -> None:
    before = warehouse.execute("SHOW search_path").rows
    warehouse.execute("SET search_path = pg_catalog")  # rolled back with its transaction
    assert warehouse.execute("SHOW search_path").rows == before


def test_statement_timeout(warehouse: SQLAlchemyWarehouse) -> None:
    start = time.perf_counter()
    with pytest.raises(QueryError, match="longer than 2 s"):
        warehouse.execute("SELECT pg_sleep(30)")
    assert time.perf_counter() - start < 10


def test_engine_refusal_through_explain(warehouse: SQLAlchemyWarehouse) -> None:
    report, result = run_validated("SELECT country + 1 FROM users", CATALOG, warehouse)
    assert report.codes == ["explain-failed"] and result is None
    assert "operator does not exist" in report.errors[0].message


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 AS a; COMMIT; DELETE FROM users",
        "SELECT 1 AS a;COMMIT;SET default_transaction_read_only = off;DELETE FROM users",
        "SELECT $a$ ' $a$ AS x; COMMIT; DELETE FROM users; SELECT $a$ ' $a$ AS y",
        "SELECT E'\\''; COMMIT; DELETE FROM users; --' AS x",
        "SELECT 1 AS a /* ; */",
    ],
)
def test_a_stacked_commit_cannot_escape(warehouse: SQLAlchemyWarehouse, sql: str) -> None:
    # A read-only transaction is not a boundary: text that is not provably one statement
    # never reaches the driver.
    with pytest.raises(QueryError, match="Not run"):
        warehouse.execute(sql)
    assert warehouse.execute("SELECT count(*) FROM users").rows == [[60]]


def test_strings_with_separators_still_run(warehouse: SQLAlchemyWarehouse) -> None:
    result = warehouse.execute(
        "SELECT 'a;b' AS x, 'it''s -- $$' AS y, \"country\" FROM users LIMIT 1"
    )
    assert result.rows[0][:2] == ["a;b", "it's -- $$"]


def test_cancel_from_another_thread(warehouse: SQLAlchemyWarehouse) -> None:
    timer = threading.Timer(0.3, warehouse.cancel)
    timer.start()
    start = time.perf_counter()
    with pytest.raises(QueryError, match=r"cancelled|longer than"):
        warehouse.execute("SELECT count(*) FROM generate_series(1, 100000000) a")
    timer.join()
    assert time.perf_counter() - start < 2
    assert warehouse.execute("SELECT 1 AS one").rows == [[1]]


def test_introspect_lists_tables_and_types(warehouse: SQLAlchemyWarehouse) -> None:
    tables = warehouse.introspect()
    assert [t.name for t in tables] == ["users"]
    assert [(c.name, c.type) for c in tables[0].columns] == [
        ("user_id", "BIGINT"),
        ("country", "TEXT"),
    ]
