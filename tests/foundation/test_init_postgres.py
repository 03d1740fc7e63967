"""`lablens init --url` on a real PostgreSQL: the same starter catalog as from the DuckDB file
holding the same tables, where the engines agree; clear failures that write nothing.

Skips cleanly when the PostgreSQL server binaries (initdb, pg_ctl) or psycopg2 are absent.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import pytest

from agent.cli import main
from tests.sql.postgres_server import Unavailable, running_postgres
from tools.catalog.introspect import introspect_duckdb
from tools.catalog.load import load_catalog
from tools.catalog.model import Catalog

pytestmark = pytest.mark.server

PASSWORD = "pg-pw-7f3a9"  # must never appear in any output or file
# A few demo tables (a recent slice of the daily one) and one with dates written as text.
SUBSET_SQL = """
    ATTACH '{demo}' AS demo (READ_ONLY);
    CREATE TABLE users AS SELECT * FROM demo.users;
    CREATE TABLE pins AS SELECT * FROM demo.pins;
    CREATE TABLE experiments AS SELECT * FROM demo.experiments;
    CREATE TABLE experiment_assignments AS SELECT * FROM demo.experiment_assignments;
    CREATE TABLE engagement_daily AS SELECT * FROM demo.engagement_daily
        WHERE dt >= (SELECT MAX(dt) - 2 FROM demo.engagement_daily);
    CREATE TABLE visits AS SELECT i AS visit_id, i % 50 AS user_id,
        strftime(DATE '2026-01-01' + INTERVAL (i % 20) DAY, '%Y-%m-%d') AS day_text,
        'note ' || i AS note FROM range(300) t(i);
    DETACH demo;
"""
PG_TYPES = {"DOUBLE": "DOUBLE PRECISION"}  # everything else is spelled alike


@pytest.fixture(scope="module")
def subset(small_demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pg_init") / "subset.duckdb"
    con = duckdb.connect(str(path))
    con.execute(SUBSET_SQL.format(demo=small_demo_workspace / "warehouse.duckdb")).fetchall()
    con.close()
    return path


def _load_into_postgres(duck: Path, url: str, folder: Path) -> None:
    import psycopg2

    con = duckdb.connect(str(duck), read_only=True)
    pg = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
    pg.autocommit = True
    with pg.cursor() as cur:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for table in tables:
            cols = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                "ORDER BY column_index",
                [table],
            ).fetchall()
            spec = ", ".join(f'"{c}" {PG_TYPES.get(t, t)}' for c, t in cols)
            cur.execute(f'CREATE TABLE "{table}" ({spec})')
            file = folder / f"{table}.csv"
            con.execute(f"COPY \"{table}\" TO '{file}' (HEADER false)").fetchall()
            with file.open(encoding="utf-8") as fh:
                cur.copy_expert(f'COPY "{table}" FROM STDIN WITH (FORMAT csv)', fh)
        cur.execute("CREATE DATABASE empty")
        cur.execute("CREATE DATABASE typed")
    pg.close()
    con.close()
    # Types DuckDB does not spell: text with a length, as most PostgreSQL schemas declare it.
    typed = psycopg2.connect(
        url.replace("postgresql+psycopg2", "postgresql").rsplit("/", 1)[0] + "/typed"
    )
    with typed, typed.cursor() as cur:
        cur.execute(
            "CREATE TABLE tickets (ticket_id BIGINT, state VARCHAR(12), opened CHARACTER "
            "VARYING(10), code CHAR(2))"
        )
        cur.execute(
            "INSERT INTO tickets SELECT g, (ARRAY['open','closed'])[g % 2 + 1], "
            "to_char(DATE '2026-03-01' + g % 9, 'YYYY-MM-DD'), 'T' || (g % 3) "
            "FROM generate_series(1, 60) g"
        )
    typed.close()


@pytest.fixture(scope="module")
def postgres_url(subset: Path) -> Iterator[str]:
    try:
        with running_postgres([], password=PASSWORD) as url:
            _load_into_postgres(subset, url, subset.parent)
            yield url
    except Unavailable as exc:
        pytest.skip(str(exc))


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def pg_workspace(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("pg_ws")
    assert main(["init", "--url", postgres_url, "-w", str(ws), "--json"]) == 0
    return ws


def _comparable(catalog: Catalog) -> dict[str, Any]:
    """The catalog as data, without what must differ (name, dialect, type spellings)."""
    data: dict[str, Any] = msgspec.to_builtins(catalog)
    for table in data["tables"]:
        for column in table["columns"]:
            kind = column.get("type", "VARCHAR")  # left out where it is the default
            column["type"] = PG_TYPES.get(kind, kind)
    data.pop("name", None)
    data.pop("dialect", None)
    return data


def test_the_catalog_matches_the_duckdb_one(subset: Path, pg_workspace: Path) -> None:
    from_duckdb = introspect_duckdb(subset)
    from_postgres = load_catalog(pg_workspace / "catalog.yaml")
    assert from_postgres.dialect == "postgres"
    assert from_postgres.table_names == from_duckdb.table_names
    assert _comparable(from_postgres) == _comparable(from_duckdb)


def test_dates_links_and_values_were_found_on_postgres(pg_workspace: Path) -> None:
    catalog = load_catalog(pg_workspace / "catalog.yaml")
    visits, assignments = catalog.table("visits"), catalog.table("experiment_assignments")
    assert visits is not None and assignments is not None
    assert visits.time_column == "day_text"  # ISO dates stored as text
    assert assignments.column("user_id").refers_to == "users"  # type: ignore[union-attr]
    assert assignments.column("variant").values == [  # type: ignore[union-attr]
        "boost_high",
        "boost_low",
        "control",
        "treatment",
    ]
    assert ("experiment_assignments", "experiment_id", "experiments") in {
        (j.left_table, j.left_column, j.right_table) for j in catalog.join_keys
    }


def test_the_password_is_never_written(postgres_url: str, pg_workspace: Path) -> None:
    config = (pg_workspace / "lablens.toml").read_text(encoding="utf-8")
    assert PASSWORD not in config and PASSWORD not in (pg_workspace / "catalog.yaml").read_text()
    assert postgres_url.replace(f":{PASSWORD}@", "@") in config
    assert "LABLENS_WAREHOUSE_URL" in config  # says how to give the password


def test_the_written_workspace_queries_postgres(
    postgres_url: str,
    pg_workspace: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LABLENS_WAREHOUSE_URL", postgres_url)
    code, out, _ = run_cli(
        capsys,
        "sql",
        "--raw",
        "SELECT COUNT(*) AS n FROM visits",
        "-w",
        str(pg_workspace),
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["rows"] == [[300]]


def _no_files(ws: Path) -> bool:
    return not ws.exists() or not any(ws.iterdir())


def test_wrong_password_names_the_server_not_the_password(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = postgres_url.replace(PASSWORD, "not-the-pw-42")
    code, out, err = run_cli(capsys, "init", "--url", wrong, "-w", str(tmp_path / "ws"))
    port = postgres_url.rsplit(":", 1)[1].split("/")[0]
    assert code == 2
    assert f"127.0.0.1:{port}" in err and "password authentication failed" in err
    assert "not-the-pw-42" not in out + err
    assert _no_files(tmp_path / "ws")


def test_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    url = f"postgresql://someone:{PASSWORD}@127.0.0.1:{port}/db"
    code, out, err = run_cli(capsys, "init", "--url", url, "-w", str(tmp_path / "ws"))
    assert code == 2 and f"127.0.0.1:{port}" in err and "Cannot connect" in err
    assert PASSWORD not in out + err
    assert _no_files(tmp_path / "ws")


def test_text_types_with_a_length_are_sampled(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/typed"
    assert run_cli(capsys, "init", "--url", url, "-w", str(tmp_path), "--json")[0] == 0
    tickets = load_catalog(tmp_path / "catalog.yaml").table("tickets")
    assert tickets is not None
    assert tickets.column("state").values == ["closed", "open"]  # type: ignore[union-attr]
    assert tickets.column("code").values == ["T0", "T1", "T2"]  # type: ignore[union-attr]
    assert tickets.time_column == "opened"  # ISO dates in a CHARACTER VARYING(10)


def test_empty_database(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/empty"
    code, out, err = run_cli(capsys, "init", "--url", url, "-w", str(tmp_path / "ws"), "--json")
    assert code == 2 and "no tables" in out + err
    assert _no_files(tmp_path / "ws")
