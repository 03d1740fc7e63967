"""Hard bounds of the DuckDB executor: a killable worker, time, memory, result size, spills."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.sql.conftest import build_warehouse, file_sha256
from tools.errors import QueryError
from tools.warehouse.connection import WarehouseConfig, open_warehouse
from tools.warehouse.duckdb_adapter import DuckDBWarehouse

# A chain of self-joined CTEs, each read twice: planning it takes DuckDB's binder and
# optimizer seconds to minutes without answering interrupt() (at 16 levels an interrupt at 2 s
# returns after 5 s), so only killing the process stops it.
_LEVELS = ["a", *(f"c{j}" for j in range(17))]
CTE_BOMB = (
    "WITH a AS NOT MATERIALIZED (SELECT u.user_id FROM users u, users v), "
    + ", ".join(
        f"c{i} AS NOT MATERIALIZED (SELECT x.user_id FROM {p} x, {p} y)"
        for i, p in enumerate(_LEVELS)
    )
    + " SELECT count(*) FROM c17"
)
SLOW = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"


def _open(path: Path, **kwargs: object) -> DuckDBWarehouse:
    config = WarehouseConfig(path=path, **kwargs)  # type: ignore[arg-type]
    warehouse = open_warehouse(config, path.parent)
    assert isinstance(warehouse, DuckDBWarehouse)
    return warehouse


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    (tmp_path / "wh").mkdir()
    return build_warehouse(tmp_path / "wh" / "w.duckdb")


def test_timeout_holds_even_when_the_engine_ignores_interrupt(warehouse_file: Path) -> None:
    with _open(warehouse_file, timeout_s=1.0, memory_limit="256MB") as w:
        start = time.perf_counter()
        with pytest.raises(QueryError, match=r"longer than 1 s"):
            w.execute(CTE_BOMB)
        assert time.perf_counter() - start < 4
        assert w.execute("SELECT 1 AS one").rows == [[1]]  # a fresh worker answers


def test_cancel_from_another_thread_stops_the_query(warehouse_file: Path) -> None:
    with _open(warehouse_file, timeout_s=30) as w:
        w.execute("SELECT 1")  # worker started
        timer = threading.Timer(0.5, w.cancel)
        timer.start()
        start = time.perf_counter()
        with pytest.raises(QueryError, match="cancelled"):
            w.execute(SLOW)
        assert time.perf_counter() - start < 5
        timer.join()
        assert w.execute("SELECT 2 AS two").rows == [[2]]


def test_cancel_when_nothing_runs_is_a_no_op(warehouse_file: Path) -> None:
    with _open(warehouse_file) as w:
        w.cancel()
        assert w.execute("SELECT 3 AS three").rows == [[3]]
        w.cancel()
        assert w.execute("SELECT 4 AS four").rows == [[4]]


def test_address_space_bound_holds_when_memory_limit_does_not(warehouse_file: Path) -> None:
    # 25 rows of 100 MB strings: the engine's memory_limit does not count them all, the
    # worker's address-space bound does; the parent gets a clean error, not a MemoryError.
    with _open(warehouse_file, memory_limit="256MB", process_memory="768MB", timeout_s=60) as w:
        w.execute("SELECT 1")
        assert w.address_limit is not None
        with pytest.raises(QueryError, match="memory"):
            w.execute("SELECT repeat('x', 100000000) AS s FROM users LIMIT 25")
        assert w.execute("SELECT 5 AS five").rows == [[5]]


def test_huge_cells_are_cut_and_marked(warehouse_file: Path) -> None:
    with _open(warehouse_file, max_cell_bytes=1000) as w:
        result = w.execute("SELECT repeat('x', 5000) AS s, list(range) AS ids FROM range(1000)")
        text, ids = result.rows[0]
        assert text.endswith("…[truncated]") and len(text) < 1100
        assert 10 < len(ids) < 200 and result.cells_cut == 2
        assert any("cut" in n for n in result.notes)
        assert result.to_dict()["cells_cut"] == 2


def test_results_are_capped_by_bytes_as_well_as_rows(warehouse_file: Path) -> None:
    with _open(warehouse_file, row_cap=10_000, max_result_bytes=20_000) as w:
        result = w.execute("SELECT repeat('y', 1000) AS s FROM range(1000)")
        assert result.truncated and result.byte_capped
        assert 10 <= result.row_count <= 25


def test_values_python_cannot_hold_come_back_as_text(warehouse_file: Path) -> None:
    with _open(warehouse_file) as w:
        for sql, text in [
            ("SELECT INTERVAL '1000000000 days' AS i", "1000000000 days"),
            ("SELECT INTERVAL '100000000 years' AS i", "100000000 years"),
            ("SELECT to_days(1000000000) AS i", "1000000000 days"),
        ]:
            result = w.execute(sql)
            assert result.rows == [[text]], sql
            assert any("as text" in n for n in result.notes)


def test_spills_stay_in_the_bounded_folder(warehouse_file: Path, tmp_path: Path) -> None:
    spill = tmp_path / "state" / "duckdb_tmp"
    before = sorted(p.name for p in warehouse_file.parent.iterdir())
    digest = file_sha256(warehouse_file)
    with _open(
        warehouse_file, memory_limit="64MB", temp_dir=spill, max_temp_size="2GB", timeout_s=120
    ) as w:
        result = w.execute(
            "SELECT count(*) FROM (SELECT DISTINCT a.range * 100000 + b.range AS k "
            "FROM range(3000) a, range(2000) b)"
        )
        assert result.rows == [[6_000_000]]
    after = sorted(p.name for p in warehouse_file.parent.iterdir())
    assert after == before  # no warehouse.duckdb.tmp/ next to the file
    assert spill.is_dir()
    # The worker that spilled closed its connection on the way out, which deletes them.
    assert not [p.name for p in spill.iterdir() if p.name.startswith("duckdb_temp_")]
    assert file_sha256(warehouse_file) == digest


def test_a_killed_worker_leaves_no_spill_files(warehouse_file: Path, tmp_path: Path) -> None:
    spill = tmp_path / "state" / "duckdb_tmp"
    with _open(
        warehouse_file, memory_limit="64MB", temp_dir=spill, max_temp_size="2GB", timeout_s=120
    ) as w:
        w.execute("SELECT 1")
        errors: list[Exception] = []

        def spilling_query() -> None:
            try:
                w.execute(
                    "SELECT count(*) FROM (SELECT DISTINCT a.range * 100000 + b.range AS k "
                    "FROM range(20000) a, range(5000) b)"
                )
            except QueryError as exc:
                errors.append(exc)

        thread = threading.Thread(target=spilling_query)
        thread.start()
        deadline = time.monotonic() + 60
        while not list(spill.glob("duckdb_temp_*")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list(spill.glob("duckdb_temp_*")), "the query never spilled"
        w.cancel()  # killed: DuckDB cannot delete its own files
        thread.join()
        assert errors and "cancelled" in str(errors[0])
        assert not list(spill.glob("duckdb_temp_*"))
        assert w.execute("SELECT 6 AS six").rows == [[6]]


def test_spilling_off_refuses_cleanly(warehouse_file: Path) -> None:
    with (
        _open(warehouse_file, memory_limit="64MB", temp_dir=None, timeout_s=60) as w,
        pytest.raises(QueryError, match="memory"),
    ):
        w.execute(
            "SELECT count(*) FROM (SELECT DISTINCT a.range * 100000 + b.range AS k "
            "FROM range(3000) a, range(2000) b)"
        )


def test_introspect_lists_tables_and_column_types(warehouse_file: Path) -> None:
    with _open(warehouse_file) as w:
        tables = {t.name: [(c.name, c.type) for c in t.columns] for t in w.introspect()}
    assert tables["users"] == [
        ("user_id", "BIGINT"),
        ("country", "VARCHAR"),
        ("signup_date", "DATE"),
    ]
    assert set(tables) == {"users", "events", "secrets_not_in_catalog"}


def test_queries_from_several_threads_take_turns(warehouse_file: Path) -> None:
    results: list[list[list[object]]] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results.append(w.execute(f"SELECT {n} AS n, count(*) AS c FROM users").rows)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    with _open(warehouse_file) as w:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sorted(r[0][0] for r in results) == list(range(6))  # type: ignore[type-var]


def test_a_closed_warehouse_refuses_cleanly(warehouse_file: Path) -> None:
    from tools.errors import WarehouseError

    w = _open(warehouse_file)
    w.execute("SELECT 1")
    w.close()
    with pytest.raises(WarehouseError, match="closed"):
        w.execute("SELECT 1")
