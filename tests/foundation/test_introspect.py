"""`lablens init` introspection on a temp DuckDB of another domain."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tools.catalog.introspect import introspect_duckdb
from tools.errors import WarehouseError


@pytest.fixture
def bookstore(tmp_path: Path) -> Path:
    path = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""
        CREATE TABLE customers (customer_id BIGINT, name VARCHAR, tier VARCHAR);
        CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, order_date DATE,
                             status VARCHAR, total DOUBLE);
        COMMENT ON TABLE orders IS 'One row per order';
        INSERT INTO customers SELECT i, 'name ' || i, ['gold', 'silver'][1 + i % 2]
            FROM range(100) t(i);
        INSERT INTO orders SELECT i, i % 100, DATE '2026-01-01' + INTERVAL (i % 30) DAY,
            ['open', 'shipped', 'returned'][1 + i % 3], i * 1.5 FROM range(1000) t(i);
    """).fetchall()
    con.close()
    return path


def test_tables_columns_and_types(bookstore: Path) -> None:
    cat = introspect_duckdb(bookstore)
    assert cat.table_names == ["customers", "orders"]
    orders = cat.table("orders")
    assert orders is not None
    assert [(c.name, c.type) for c in orders.columns][:3] == [
        ("order_id", "BIGINT"),
        ("customer_id", "BIGINT"),
        ("order_date", "DATE"),
    ]
    assert orders.description == "One row per order"


def test_low_cardinality_values_but_not_free_text(bookstore: Path) -> None:
    cat = introspect_duckdb(bookstore)
    assert cat.table("orders").column("status").values == ["open", "returned", "shipped"]  # type: ignore[union-attr]
    assert cat.table("customers").column("name").values is None  # type: ignore[union-attr]


def test_dates_and_join_keys(bookstore: Path) -> None:
    cat = introspect_duckdb(bookstore)
    orders = cat.table("orders")
    assert orders is not None and orders.column("order_date").is_date  # type: ignore[union-attr]
    assert [(j.left_table, j.left_column, j.right_table) for j in cat.join_keys] == [
        ("orders", "customer_id", "customers")
    ]


def test_introspection_never_writes(bookstore: Path) -> None:
    before = bookstore.read_bytes()
    introspect_duckdb(bookstore)
    assert bookstore.read_bytes() == before


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_text("hello")
    with pytest.raises(WarehouseError, match="Cannot open warehouse"):
        introspect_duckdb(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="not found"):
        introspect_duckdb(tmp_path / "missing.duckdb")
