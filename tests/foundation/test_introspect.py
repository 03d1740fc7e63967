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


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """A warehouse whose meaning is only in its types and contents (no known names)."""
    path = tmp_path / "events.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""
        CREATE TABLE widgets (widget_id BIGINT, widget_label VARCHAR, is_shiny BOOLEAN,
                              lifecycle_status VARCHAR, score DOUBLE);
        INSERT INTO widgets SELECT i, 'Widget ' || i, i % 3 = 0,
            ['live', 'retired'][1 + i % 2], (i % 10) / 10.0 FROM range(50) t(i);
        CREATE TABLE pings (widget_id BIGINT, seen VARCHAR, seen_at TIMESTAMP, hits INTEGER,
                            weight DOUBLE);
        INSERT INTO pings SELECT i % 50, strftime(DATE '2026-01-01' + INTERVAL (i % 20) DAY,
            '%Y-%m-%d'), TIMESTAMP '2026-01-01 10:00:00' + INTERVAL (i) HOUR, i % 7, i * 2.5
            FROM range(400) t(i);
    """).fetchall()
    con.close()
    return path


def test_dates_found_by_type_and_by_content(events: Path) -> None:
    pings = introspect_duckdb(events).table("pings")
    assert pings is not None
    dated = {c.name for c in pings.columns if c.is_date}
    assert dated == {"seen", "seen_at"}  # ISO text and a TIMESTAMP, neither named *_date
    assert pings.time_column in dated


def test_entity_key_name_flag_and_status(events: Path) -> None:
    cat = introspect_duckdb(events)
    widgets, pings = cat.table("widgets"), cat.table("pings")
    assert widgets is not None and pings is not None
    assert widgets.key_column == "widget_id"
    assert widgets.name_column == "widget_label"
    assert widgets.status_column == "lifecycle_status"
    shiny = widgets.column("is_shiny")
    assert shiny is not None and shiny.synonyms == ["shiny"]
    ref = pings.column("widget_id")
    assert ref is not None and ref.refers_to == "widgets"
    assert pings.key_column is None  # widget_id repeats in pings: not its key


def test_default_aggregation_sums_counts_and_averages_scores(events: Path) -> None:
    cat = introspect_duckdb(events)
    aggs = {(t.name, c.name): c.default_agg for t in cat.tables for c in t.columns if c.default_agg}
    assert aggs[("pings", "hits")] == "sum"
    assert aggs[("pings", "weight")] == "sum"  # an amount in a dated fact table
    assert aggs[("widgets", "score")] == "avg"
    assert ("pings", "widget_id") not in aggs


GOLDEN = Path(__file__).parents[1] / "data" / "demo_small_init_catalog.yaml"


def test_the_demo_catalog_is_the_one_the_duckdb_reader_wrote(small_demo_workspace: Path) -> None:
    """Reading through the adapter changed nothing: the golden is the catalog the earlier direct
    DuckDB reader wrote for the small demo (regenerate with `dump_catalog(introspect_duckdb(…))`
    only when the demo generator changes)."""
    from tools.catalog.load import dump_catalog

    catalog = introspect_duckdb(small_demo_workspace / "warehouse.duckdb")
    assert dump_catalog(catalog) == GOLDEN.read_text(encoding="utf-8")


def test_an_empty_warehouse_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(WarehouseError, match="no tables"):
        introspect_duckdb(path)


def test_views_are_not_described(tmp_path: Path) -> None:
    path = tmp_path / "v.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a BIGINT); CREATE VIEW v AS SELECT a FROM t").fetchall()
    con.close()
    assert introspect_duckdb(path).table_names == ["t"]


def test_any_sqlalchemy_url_goes_through_the_same_seam(tmp_path: Path) -> None:
    """SQLite through SQLAlchemy: its own safe date test (DATE()), its own function list."""
    import sqlite3

    from tools.catalog.introspect import introspect_warehouse
    from tools.warehouse.connection import WarehouseConfig, open_warehouse

    path = tmp_path / "shop.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE customers (customer_id BIGINT, tier VARCHAR(8));"
        "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, day VARCHAR(10), note TEXT);"
    )
    con.executemany(
        "INSERT INTO customers VALUES (?, ?)",
        [(i, "gold" if i % 2 else "silver") for i in range(40)],
    )
    con.executemany(
        "INSERT INTO orders VALUES (?, ?, ?, ?)",
        [(i, i % 40, f"2026-01-{1 + i % 28:02d}", f"free text {i}") for i in range(200)],
    )
    con.commit()
    con.close()
    with open_warehouse(WarehouseConfig(url=f"sqlite:///{path}"), tmp_path) as warehouse:
        catalog = introspect_warehouse(warehouse, name="shop")
    assert catalog.dialect == "sqlite" and catalog.table_names == ["customers", "orders"]
    orders = catalog.table("orders")
    assert orders is not None and orders.time_column == "day"
    assert orders.column("note").values is None  # type: ignore[union-attr]
    assert catalog.table("customers").column("tier").values == ["gold", "silver"]  # type: ignore[union-attr]
    assert [(j.left_table, j.left_column, j.right_table) for j in catalog.join_keys] == [
        ("orders", "customer_id", "customers")
    ]
