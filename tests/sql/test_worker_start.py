"""Starting the DuckDB worker early (`DuckDBWarehouse.start`): same bounds, same errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sql.conftest import build_warehouse
from tools.errors import QueryError, WarehouseError
from tools.warehouse.connection import WarehouseConfig
from tools.warehouse.duckdb_adapter import DuckDBWarehouse


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    (tmp_path / "wh").mkdir()
    return build_warehouse(tmp_path / "wh" / "w.duckdb")


def test_a_started_worker_answers_the_first_query_under_its_bounds(warehouse_file: Path) -> None:
    with DuckDBWarehouse(WarehouseConfig(path=warehouse_file, memory_limit="256MB")) as w:
        w.start()
        assert w.opened
        assert w.execute("SELECT 1 AS one").rows == [[1]]
        assert w.address_limit is not None  # the address-space bound is set as before
        w.start()  # one runs: nothing new starts
        assert w.execute("SELECT 2 AS two").rows == [[2]]


def test_a_worker_that_cannot_open_the_file_fails_the_first_query(tmp_path: Path) -> None:
    bad = tmp_path / "not.duckdb"
    bad.write_text("not a database")
    with DuckDBWarehouse(WarehouseConfig(path=bad)) as w:
        w.start()
        with pytest.raises(WarehouseError, match="Cannot open warehouse"):
            w.execute("SELECT 1")


def test_a_started_worker_still_times_out_and_is_replaced(warehouse_file: Path) -> None:
    slow = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"
    with DuckDBWarehouse(WarehouseConfig(path=warehouse_file, timeout_s=1.0)) as w:
        w.start()
        with pytest.raises(QueryError, match=r"longer than 1 s"):
            w.execute(slow)
        assert w.execute("SELECT 3 AS three").rows == [[3]]


def test_closing_a_started_worker_before_any_query(warehouse_file: Path) -> None:
    w = DuckDBWarehouse(WarehouseConfig(path=warehouse_file))
    w.start()
    w.close()
    assert not w.opened
    w.start()  # closed: starts nothing
    assert not w.opened
    with pytest.raises(WarehouseError, match="closed"):
        w.execute("SELECT 1")


def test_start_never_waits_for_another_threads_query(warehouse_file: Path) -> None:
    import threading
    import time

    slow = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"
    with DuckDBWarehouse(WarehouseConfig(path=warehouse_file, timeout_s=30)) as w:
        w.execute("SELECT 1")
        errors: list[Exception] = []

        def run() -> None:
            try:
                w.execute(slow)
            except QueryError as exc:
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)  # the slow query holds the worker
        begun = time.perf_counter()
        w.start()
        assert time.perf_counter() - begun < 0.5
        w.cancel()
        thread.join()
        assert errors and "cancelled" in str(errors[0])
        assert w.execute("SELECT 5 AS five").rows == [[5]]


def test_after_close_the_worker_has_exited_and_the_file_is_free_for_a_writer(
    warehouse_file: Path,
) -> None:
    import duckdb

    w = DuckDBWarehouse(WarehouseConfig(path=warehouse_file))
    assert w.execute("SELECT 1 AS one").rows == [[1]]
    proc = w._proc
    assert proc is not None
    w.close()
    # The worker leaves through os._exit after closing its connection: a clean exit code,
    # and DuckDB's file lock released (a writer could not open the file otherwise).
    assert proc.returncode == 0
    with duckdb.connect(str(warehouse_file)) as writer:
        writer.execute("CREATE TABLE after_close AS SELECT 1 AS x")
