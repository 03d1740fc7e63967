"""The read-only executor: hardened DuckDB, deadlines that interrupt, row caps, clear errors."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.sql.conftest import build_warehouse, file_sha256
from tools.catalog.model import Catalog
from tools.errors import LablensError, QueryError, WarehouseError
from tools.warehouse.connection import (
    DuckDBWarehouse,
    WarehouseConfig,
    open_warehouse,
    warehouse_dialect,
)
from tools.warehouse.run import run_validated


@pytest.fixture
def warehouse(shop_warehouse_path: Path):
    with open_warehouse(
        WarehouseConfig(path=shop_warehouse_path, timeout_s=5, row_cap=10, memory_limit="256MB"),
        shop_warehouse_path.parent,
    ) as w:
        yield w


def test_execute_returns_columns_and_rows(warehouse) -> None:
    result = warehouse.execute("SELECT country, count(*) AS n FROM users GROUP BY 1 ORDER BY 1")
    assert result.columns == ["country", "n"]
    assert result.rows == [["FR", 20], ["JP", 20], ["US", 20]]
    assert (result.row_count, result.truncated) == (3, False)
    assert result.elapsed_ms > 0


def test_row_cap_truncates(warehouse) -> None:
    result = warehouse.execute("SELECT user_id FROM users ORDER BY user_id")
    assert result.row_count == 10 and result.truncated
    assert result.rows[-1] == [9]


def test_exactly_row_cap_rows_is_not_truncated(warehouse) -> None:
    result = warehouse.execute("SELECT user_id FROM users ORDER BY user_id LIMIT 10")
    assert result.row_count == 10 and not result.truncated


def test_timeout_really_interrupts(shop_warehouse_path: Path) -> None:
    config = WarehouseConfig(path=shop_warehouse_path, timeout_s=0.5)
    with open_warehouse(config, shop_warehouse_path.parent) as w:
        start = time.perf_counter()
        with pytest.raises(QueryError, match=r"longer than 0\.5 s"):
            w.execute("SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b")
        assert time.perf_counter() - start < 5
        # The connection is usable after the interrupt.
        assert w.execute("SELECT 1 AS one").rows == [[1]]


def test_memory_limit_is_applied(warehouse) -> None:
    value = warehouse.execute("SELECT current_setting('memory_limit')").rows[0][0]
    assert value.startswith("244") or value.startswith("256")


def test_memory_limit_stops_a_hungry_query(shop_warehouse_path: Path) -> None:
    config = WarehouseConfig(path=shop_warehouse_path, memory_limit="20MB")
    with open_warehouse(config, shop_warehouse_path.parent) as w:
        with pytest.raises(QueryError, match="more memory than the 20MB limit") as info:
            w.execute("SELECT length(list(range)) FROM range(20000000)")
        assert "memory_limit" in (info.value.hint or "")


def test_connection_is_read_only(warehouse) -> None:
    with pytest.raises(QueryError, match="read-only"):
        warehouse.execute("CREATE TABLE t AS SELECT 1 AS a")


def test_connection_cannot_read_files(warehouse, tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(QueryError, match="disabled by configuration"):
        warehouse.execute(f"SELECT * FROM read_csv('{data}')")


def test_connection_cannot_write_files(warehouse, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(QueryError):
        warehouse.execute(f"COPY users TO '{target}'")
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TEMP TABLE users AS SELECT 'fake' AS country",
        "SET SESSION search_path = 'temp'",
        "DETACH warehouse",
        "SELECT 1; SELECT 2",
        "SELECT 1; DETACH w",
    ],
)
def test_only_one_select_reaches_the_engine(warehouse, sql: str) -> None:
    # DuckDB's own statement split decides: one statement, of type SELECT.
    with pytest.raises(QueryError, match="Not run: DuckDB reads this text as"):
        warehouse.execute(sql)
    with pytest.raises(QueryError, match="Not run"):
        warehouse.explain(sql)
    assert warehouse.execute("SELECT count(*) FROM users").rows == [[60]]


def test_configuration_is_locked(shop_warehouse_path: Path, tmp_path: Path) -> None:
    from tools.warehouse.duckdb_file import open_hardened

    conn = open_hardened(shop_warehouse_path, memory_limit="256MB", temp_dir=tmp_path / "t")
    try:
        for setting in ("enable_external_access = true", "temp_directory = '/tmp'"):
            with pytest.raises(Exception, match="locked"):
                conn.execute(f"SET {setting}")
        assert conn.execute("SELECT current_setting('enable_external_access')").fetchone() == (
            False,
        )
    finally:
        conn.close()


def test_engine_error_keeps_the_engine_message(warehouse) -> None:
    with pytest.raises(QueryError) as info:
        warehouse.execute("SELECT no_such_function(1)")
    assert "no_such_function" in info.value.message and info.value.hint


def test_explain_returns_a_plan(warehouse) -> None:
    plan = warehouse.explain("SELECT country FROM users")
    assert "users" in plan.lower() or "seq_scan" in plan.lower()


def test_explain_refuses_what_the_engine_refuses(warehouse) -> None:
    with pytest.raises(QueryError):
        warehouse.explain("SELECT country + 1 FROM users")


def test_missing_warehouse_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="not found"):
        open_warehouse(WarehouseConfig(path=tmp_path / "none.duckdb"), tmp_path)


def test_open_from_workspace_settings(shop_root: Path) -> None:
    from agent.config import WarehouseSettings

    settings = WarehouseSettings(path="warehouse.duckdb", row_cap=2)
    with open_warehouse(settings, shop_root) as w:
        assert isinstance(w, DuckDBWarehouse) and w.dialect == "duckdb"
        assert w.execute("SELECT user_id FROM users").truncated


def test_warehouse_dialect_from_url() -> None:
    from agent.config import WarehouseSettings

    assert warehouse_dialect(WarehouseSettings(url="postgresql+psycopg2://u@h/db")) == "postgres"
    assert warehouse_dialect(WarehouseSettings(dialect="duckdb")) == "duckdb"


def test_warehouse_file_is_unchanged_by_queries(shop_catalog: Catalog, tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    before = file_sha256(path)
    with open_warehouse(WarehouseConfig(path=path), tmp_path) as w:
        run_validated("SELECT country, count(*) FROM users GROUP BY country", shop_catalog, w)
        with pytest.raises(LablensError):
            w.execute("DELETE FROM users")
    assert file_sha256(path) == before


class SpyWarehouse:
    """A real warehouse that records what reaches it."""

    def __init__(self, inner: DuckDBWarehouse) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.calls: list[tuple[str, str]] = []

    def explain(self, sql: str) -> str:
        self.calls.append(("explain", sql))
        return self.inner.explain(sql)

    def execute(self, sql: str):
        self.calls.append(("execute", sql))
        return self.inner.execute(sql)


def test_run_validated_runs_the_validated_text(warehouse, shop_catalog: Catalog) -> None:
    spy = SpyWarehouse(warehouse)
    report, result = run_validated("select country from users order by 1", shop_catalog, spy)
    assert report.valid and result is not None
    assert spy.calls == [("explain", report.sql), ("execute", report.sql)]
    assert report.sql.endswith("LIMIT 1000")


def test_run_validated_never_touches_the_warehouse_when_invalid(
    warehouse, shop_catalog: Catalog
) -> None:
    spy = SpyWarehouse(warehouse)
    report, result = run_validated("SELECT * FROM secrets_not_in_catalog", shop_catalog, spy)
    assert not report.valid and result is None and spy.calls == []


def test_run_validated_reports_an_engine_refusal(warehouse, shop_catalog: Catalog) -> None:
    report, result = run_validated("SELECT country + 1 FROM users", shop_catalog, warehouse)
    assert report.codes == ["explain-failed"] and result is None


# SQLAlchemy path, on SQLite (always available): same guarantees through another engine.


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    path = tmp_path / "shop.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (user_id INTEGER, country TEXT)")
    conn.executemany("INSERT INTO users VALUES (?, ?)", [(i, "FR") for i in range(30)])
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def test_sqlalchemy_warehouse_reads_with_a_row_cap(sqlite_url: str, tmp_path: Path) -> None:
    with open_warehouse(WarehouseConfig(url=sqlite_url, row_cap=5), tmp_path) as w:
        assert w.dialect == "sqlite"
        result = w.execute("SELECT user_id FROM users ORDER BY user_id")
        assert result.rows == [[0], [1], [2], [3], [4]] and result.truncated


def test_sqlalchemy_warehouse_is_read_only(sqlite_url: str, tmp_path: Path) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    before = file_sha256(path)
    with (
        open_warehouse(WarehouseConfig(url=sqlite_url), tmp_path) as w,
        pytest.raises(QueryError, match=r"readonly|read-only|query_only"),
    ):
        w.execute("DELETE FROM users")
    assert file_sha256(path) == before


def test_unreachable_server_is_a_warehouse_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg2://nobody@127.0.0.1:9/none"
    with (
        open_warehouse(WarehouseConfig(url=url), tmp_path) as w,
        pytest.raises(WarehouseError, match="Cannot connect"),
    ):
        w.execute("SELECT 1")


def test_sqlalchemy_timeout_interrupts(sqlite_url: str, tmp_path: Path) -> None:
    slow = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    with open_warehouse(WarehouseConfig(url=sqlite_url, timeout_s=0.5), tmp_path) as w:
        start = time.perf_counter()
        with pytest.raises(QueryError, match="longer than"):
            w.execute(slow)
        assert time.perf_counter() - start < 5
