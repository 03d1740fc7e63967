"""The Spark Connect adapter against a real local server: queries only, cap, deadline, cancel,
and clean errors for an unreachable server, wrong credentials and a server that dies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.scale.spark_server import SparkServer, free_port
from tools.catalog.load import load_catalog
from tools.errors import QueryError, WarehouseError
from tools.warehouse.connection import WarehouseConfig, open_warehouse, warehouse_dialect
from tools.warehouse.run import run_validated
from tools.warehouse.spark_connect import SparkConnectWarehouse, parse_spark_url

pytestmark = pytest.mark.server

# Long, in many short tasks: 2,000 partitions of range(). Spark stops a cancelled job by not
# starting its remaining tasks (a running task stops only where it checks for a kill), so
# short tasks free the local server's two cores right after the interrupt. Sent straight
# to the adapter: the validator would refuse the table function.
SLOW_SQL = "SELECT COUNT(*) AS n FROM range(0, 200000000000, 1, 2000) WHERE id % 7 = 3"


def _open(url: str, **limits: float) -> SparkConnectWarehouse:
    w = open_warehouse(WarehouseConfig(url=url, **limits), Path("."))  # type: ignore[arg-type]
    assert isinstance(w, SparkConnectWarehouse)
    return w


@pytest.fixture(scope="module")
def spark(spark_demo: Path, spark_server: SparkServer) -> Iterator[SparkConnectWarehouse]:
    with _open(spark_server.url, timeout_s=60, row_cap=7) as w:
        yield w


@pytest.fixture(scope="module")
def counts(small_demo_workspace: Path) -> dict[str, int]:
    """Row counts of the demo tables, read from the DuckDB file they were loaded from."""
    import duckdb

    con = duckdb.connect(str(small_demo_workspace / "warehouse.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {n: int(con.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]) for n in names}  # type: ignore[index]
    finally:
        con.close()


def test_the_url_names_the_dialect() -> None:
    assert warehouse_dialect(WarehouseConfig(url="sc://spark:15002")) == "spark"
    endpoint = parse_spark_url("sc://spark.internal:443/;use_ssl=true;token=abc")
    assert (endpoint.host, endpoint.port, endpoint.has_token) == ("spark.internal", 443, True)
    assert "abc" not in endpoint.where


def test_a_url_without_host_is_refused() -> None:
    with pytest.raises(WarehouseError, match="names no host"):
        parse_spark_url("sc://:15002")


def test_the_row_cap_is_applied(spark: SparkConnectWarehouse) -> None:
    result = spark.execute("SELECT user_id FROM users ORDER BY user_id")
    assert result.row_count == 7 and result.truncated
    assert [r[0] for r in result.rows] == sorted(r[0] for r in result.rows)


def test_repeated_column_names_keep_every_column(spark: SparkConnectWarehouse) -> None:
    result = spark.execute("SELECT 1 AS a, 2 AS a")
    assert result.columns == ["a", "a"] and result.rows == [[1, 2]]


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE users",
        "INSERT INTO users SELECT * FROM users",
        "CREATE TABLE stolen AS SELECT * FROM users",
        "CACHE TABLE users",
        "SET spark.sql.ansi.enabled = false",
        "ADD JAR /tmp/evil.jar",
    ],
)
def test_spark_itself_refuses_anything_but_a_query(
    spark: SparkConnectWarehouse, statement: str, counts: dict[str, int]
) -> None:
    # Even called directly, past the validator: the adapter sends only a wrapped query.
    with pytest.raises(QueryError):
        spark.execute(statement)
    assert spark.execute("SELECT COUNT(*) FROM users").rows == [[counts["users"]]]


REJECTED = (
    "DROP TABLE users",
    "SELECT * FROM users; DROP TABLE pins",
    "SELECT * FROM parquet.`/etc/passwd`",
    "SELECT reflect('java.lang.Runtime', 'getRuntime') FROM users",
    "SELECT java_method('java.lang.System', 'exit', 1) FROM users",
    "SELECT no_such_column FROM users",
    "SELECT SUM(saves) FROM engagement_daily",  # no partition filter
)


def test_rejected_sql_never_reaches_spark(
    spark: SparkConnectWarehouse, spark_server: SparkServer, spark_demo: Path
) -> None:
    # The server's own event log is the witness: every operation it starts is recorded there.
    catalog = load_catalog(spark_demo / "catalog.yaml")
    spark.execute("SELECT 1")
    before = spark_server.operations()
    for sql in REJECTED:
        report, result = run_validated(sql, catalog, spark)
        assert not report.valid and result is None, sql
    assert spark_server.operations() == before
    # The witness sees what does run: one valid statement shows up with its text.
    report, result = run_validated("SELECT COUNT(*) AS lablens_probe FROM users", catalog, spark)
    assert report.valid and result is not None
    new = spark_server.operations()[len(before) :]
    assert new and all("lablens_probe" in text for text in new)


def test_explain_is_a_dry_run_that_catches_engine_errors(
    spark: SparkConnectWarehouse, spark_demo: Path
) -> None:
    catalog = load_catalog(spark_demo / "catalog.yaml")
    report, result = run_validated(
        "SELECT country, COUNT(*) AS n FROM users GROUP BY country ORDER BY country",
        catalog,
        spark,
    )
    assert report.valid and result is not None and result.row_count == 7
    assert "Aggregate" in spark.explain(report.sql)


def test_a_runaway_query_is_interrupted_at_the_deadline(
    spark_server: SparkServer, spark_demo: Path
) -> None:
    with _open(spark_server.url, timeout_s=3) as w:
        w.execute("SELECT 1")
        start = time.perf_counter()
        with pytest.raises(QueryError, match="longer than 3 s"):
            w.execute(SLOW_SQL)
        assert time.perf_counter() - start < 15
        assert w.execute("SELECT 3").rows == [[3]]


def test_cancel_from_another_thread(spark_server: SparkServer, spark_demo: Path) -> None:
    with _open(spark_server.url, timeout_s=120, row_cap=10) as w:
        w.execute("SELECT 1")
        jobs = spark_server.count("SparkListenerJobStart")

        def cancel_once_running() -> None:
            # Cancel while the job runs on the server: an interrupt that lands between the
            # operation's start and its job's submission stops the operation but, in Spark
            # itself, not the job submitted right after it.
            spark_server.wait_for("SparkListenerJobStart", more_than=jobs)
            w.cancel()

        canceller = threading.Thread(target=cancel_once_running)
        canceller.start()
        start = time.perf_counter()
        with pytest.raises(QueryError, match="cancelled"):
            w.execute(SLOW_SQL)
        canceller.join()
        assert time.perf_counter() - start < 15
        assert w.execute("SELECT 2").rows == [[2]]


def test_wrong_credentials_are_a_clean_error(spark_server: SparkServer) -> None:
    with (
        _open(spark_server.url_with_token("not-the-token")) as w,
        pytest.raises(WarehouseError, match="refused the credentials") as info,
    ):
        w.execute("SELECT 1")
    assert "not-the-token" not in str(info.value) and f":{spark_server.port}" in str(info.value)


def test_an_unreachable_server_names_host_and_port_after_bounded_retries() -> None:
    port = free_port()
    start = time.perf_counter()
    with _open(f"sc://127.0.0.1:{port}") as w, pytest.raises(WarehouseError) as info:
        w.execute("SELECT 1")
    assert f"127.0.0.1:{port}" in info.value.message and "retries" in info.value.message
    assert 2 < time.perf_counter() - start < 30  # backed off, and bounded


def test_the_client_needs_no_java(spark_server: SparkServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # python, and no `java` on the path
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    code = (
        "from pathlib import Path\n"
        "from tools.warehouse.connection import WarehouseConfig, open_warehouse\n"
        f"w = open_warehouse(WarehouseConfig(url={spark_server.url!r}), Path('.'))\n"
        "print(w.execute('SELECT 1 AS one').rows)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[[1]]"


@pytest.mark.kills_server
def test_a_server_that_dies_mid_query_is_a_clean_error(spark_server: SparkServer) -> None:
    with _open(spark_server.url, timeout_s=120) as w:
        w.execute("SELECT 1")
        jobs = spark_server.count("SparkListenerJobStart")
        killer = threading.Thread(
            target=lambda: (
                spark_server.wait_for("SparkListenerJobStart", jobs),
                spark_server.stop(),
            )
        )
        killer.start()
        start = time.perf_counter()
        with pytest.raises((WarehouseError, QueryError)) as info:
            w.execute(SLOW_SQL)
        killer.join()
        assert time.perf_counter() - start < 60
        assert "Traceback" not in str(info.value)
        with pytest.raises(WarehouseError, match=f"localhost:{spark_server.port}"):
            w.execute("SELECT 1")


def _cli(workspace: Path, *args: str, env_extra: dict[str, str] | None = None) -> Any:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, *args, "-w", str(workspace)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _spark_workspace(small_demo_workspace: Path, target: Path, url: str) -> Path:
    from tests.scale.conftest import workspace_on

    return workspace_on(small_demo_workspace, target, url)


def test_cli_unreachable_server_exits_2_naming_host_and_port(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pyspark.sql.connect.session", reason="pyspark[connect] is not installed")
    port = free_port()
    ws = _spark_workspace(small_demo_workspace, tmp_path / "ws", f"sc://127.0.0.1:{port}")
    out = _cli(ws, "-m", "agent", "sql", "--raw", "SELECT COUNT(*) FROM users")
    assert out.returncode == 2, out.stderr[-2000:]
    assert f"127.0.0.1:{port}" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_cli_without_the_spark_client_exits_2_with_the_install_hint(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    # The client missing (as after `pip install lablens` without the extra): `import pyspark`
    # fails in that process, and lablens says which extra to install.
    ws = _spark_workspace(small_demo_workspace, tmp_path / "ws", "sc://127.0.0.1:15002")
    code = (
        "import sys; sys.modules['pyspark'] = None; sys.argv[0] = 'lablens'\n"
        "from agent.cli import main; raise SystemExit(main())\n"
    )
    out = _cli(ws, "-c", code, "sql", "--raw", "SELECT COUNT(*) FROM users")
    assert out.returncode == 2, out.stderr[-2000:]
    assert "lablens[spark]" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_introspect_lists_tables_columns_types_and_comments(
    spark: SparkConnectWarehouse, spark_server: SparkServer, small_demo_workspace: Path
) -> None:
    import warnings

    import duckdb

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyspark.sql.connect.session import SparkSession

        # Comments as a data team sets them, on an admin session of the test's own.
        admin = SparkSession.builder.remote(spark_server.url).create()
        try:
            admin.sql("COMMENT ON TABLE users IS 'People who use the product'")
            admin.sql("ALTER TABLE users ALTER COLUMN country COMMENT 'ISO country code'")
        finally:
            admin.stop()
    con = duckdb.connect(str(small_demo_workspace / "warehouse.duckdb"), read_only=True)
    try:
        expected = {
            t: [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                    "ORDER BY column_index",
                    [t],
                ).fetchall()
            ]
            for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    finally:
        con.close()
    tables = spark.introspect()
    assert [t.name for t in tables] == sorted(expected)
    assert {t.name: [c.name for c in t.columns] for t in tables} == expected
    users = next(t for t in tables if t.name == "users")
    assert users.comment == "People who use the product"
    country = next(c for c in users.columns if c.name == "country")
    assert (country.type, country.comment) == ("STRING", "ISO country code")
    types = {c.type for t in tables for c in t.columns}
    assert {"BIGINT", "DATE", "DOUBLE", "STRING"} <= types and all(t == t.upper() for t in types)
