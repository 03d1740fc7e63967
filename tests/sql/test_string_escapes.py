"""Quote and escape tricks: whatever the input dialect, the SQL that runs is re-escaped by the
generator, so a string that hides `; DROP …` stays a string when the warehouse parses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sql.conftest import file_sha256
from tools.catalog.model import Catalog
from tools.warehouse.connection import WarehouseConfig, open_warehouse
from tools.warehouse.run import run_validated

PAYLOAD = "a'; DROP TABLE users; --"


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("mysql", r"SELECT 'a\'; DROP TABLE users; --' AS x"),
        ("bigquery", r"SELECT 'a\'; DROP TABLE users; --' AS x"),
        ("snowflake", r"SELECT 'a\'; DROP TABLE users; --' AS x"),
        ("spark", r"SELECT 'a\'; DROP TABLE users; --' AS x"),
        ("duckdb", r"SELECT E'a\'; DROP TABLE users; --' AS x"),
        ("postgres", r"SELECT E'a\'; DROP TABLE users; --' AS x"),
        ("duckdb", "SELECT 'a''; DROP TABLE users; --' AS x"),
        ("postgres", "SELECT $q$a'; DROP TABLE users; --$q$ AS x"),
    ],
)
def test_escaped_quote_stays_inside_the_string(
    shop_catalog: Catalog, shop_warehouse_path: Path, dialect: str, sql: str
) -> None:
    before = file_sha256(shop_warehouse_path)
    with open_warehouse(WarehouseConfig(path=shop_warehouse_path), shop_warehouse_path.parent) as w:
        report, result = run_validated(sql, shop_catalog, w, read_dialect=dialect)
    assert report.valid, report.summary()
    assert result is not None and result.rows == [[PAYLOAD]]
    assert file_sha256(shop_warehouse_path) == before


def test_backslash_is_not_an_escape_in_duckdb_strings(shop_catalog: Catalog) -> None:
    from tools.sql.validate import validate_sql

    # In DuckDB 'a\' is a complete string: what follows is a second statement, refused.
    report = validate_sql(
        r"SELECT 'a\'; DROP TABLE users; --' AS x", shop_catalog, dialect="duckdb"
    )
    assert "multiple-statements" in report.codes
