"""The SQLAlchemy executor against a real PostgreSQL, started in a temp folder for this module.

Skips cleanly when the PostgreSQL server binaries (initdb, pg_ctl) or psycopg2 are absent.
As root, the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.catalog.model import Catalog, Column, Table
from tools.errors import QueryError
from tools.warehouse.connection import SQLAlchemyWarehouse, WarehouseConfig, open_warehouse
from tools.warehouse.run import run_validated

pytestmark = pytest.mark.server


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg2")
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server")
    root = Path(tempfile.mkdtemp(prefix="lablens-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        os.chown(root, server_user.pw_uid, server_user.pw_gid)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run(
            _as_server_user(
                [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync"]
            ),
            check=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
        subprocess.run(
            _as_server_user(
                [
                    pg_ctl,
                    "-D",
                    str(data),
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(root / "log"),
                    "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot start PostgreSQL here: {exc}")
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    try:
        _load_fixture(url)
        yield url
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def _load_fixture(url: str) -> None:
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE users (user_id BIGINT, country TEXT)")
        cur.execute(
            "INSERT INTO users SELECT g, (ARRAY['US','FR','JP'])[g % 3 + 1] "
            "FROM generate_series(0, 59) g"
        )
    conn.close()


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


def test_statement_timeout(warehouse: SQLAlchemyWarehouse) -> None:
    start = time.perf_counter()
    with pytest.raises(QueryError, match="longer than 2 s"):
        warehouse.execute("SELECT pg_sleep(30)")
    assert time.perf_counter() - start < 10


def test_engine_refusal_through_explain(warehouse: SQLAlchemyWarehouse) -> None:
    report, result = run_validated("SELECT country + 1 FROM users", CATALOG, warehouse)
    assert report.codes == ["explain-failed"] and result is None
    assert "operator does not exist" in report.errors[0].message


def test_session_settings_do_not_leak_into_the_next_statement(
    warehouse: SQLAlchemyWarehouse,
) -> None:
    before = warehouse.execute("SHOW search_path").rows
    warehouse.execute("SET search_path = pg_catalog")  # rolled back with its transaction
    assert warehouse.execute("SHOW search_path").rows == before
