"""Nothing is demo-specific: a bookstore warehouse, `lablens init`, a few catalog edits, and
the planner answers from that catalog alone."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from agent.cli import main

GENRES = ["scifi", "mystery", "romance", "history"]
CITIES = ["Lisbon", "Porto", "Braga"]


def _build_bookstore(path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE customers (customer_id BIGINT, city VARCHAR, joined_on DATE, "
        "is_member BOOLEAN)"
    )
    con.execute("CREATE TABLE books (book_id BIGINT, title VARCHAR, genre VARCHAR, price DOUBLE)")
    con.execute(
        "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, book_id BIGINT, "
        "order_date DATE, quantity INTEGER, amount DOUBLE)"
    )
    con.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?)",
        [
            (i, CITIES[i % 3], date(2025, 1, 1) + timedelta(days=i * 7), i % 4 == 0)
            for i in range(1, 41)
        ],
    )
    con.executemany(
        "INSERT INTO books VALUES (?, ?, ?, ?)",
        [
            (i, f"Book number {i} of the shop collection", GENRES[i % 4], 5.0 + i)
            for i in range(1, 31)
        ],
    )
    orders = []
    for i in range(1, 601):
        book = 1 + (i * 7) % 30
        qty = 1 + i % 3
        orders.append(
            (
                i,
                1 + (i * 13) % 40,
                book,
                date(2026, 1, 1) + timedelta(days=i % 90),
                qty,
                qty * (5.0 + book),
            )
        )
    con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", orders)
    con.close()


@pytest.fixture(scope="module")
def bookstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bookstore")
    _build_bookstore(root / "shop.duckdb")
    assert main(["init", "--warehouse", str(root / "shop.duckdb"), "--workspace", str(root)]) == 0
    catalog_path = root / "catalog.yaml"
    data = yaml.safe_load(catalog_path.read_text())
    tables = {t["name"]: t for t in data["tables"]}
    # What a person adds after `lablens init`: a time column, synonyms, a value synonym, metrics.
    tables["orders"]["time_column"] = "order_date"
    tables["orders"]["description"] = "One row per order of one book."
    tables["orders"]["synonyms"] = ["purchases", "sales"]
    for col in tables["orders"]["columns"]:
        if col["name"] == "amount":
            col["synonyms"] = ["revenue", "sales amount"]
    for col in tables["books"]["columns"]:
        if col["name"] == "genre":
            col.setdefault("value_synonyms", {})["science fiction"] = "scifi"
    data["metrics"] = [
        {
            "name": "revenue_per_customer",
            "kind": "mean",
            "table": "orders",
            "unit": "customer_id",
            "numerator": "SUM(amount)",
            "synonyms": ["revenue per customer", "spend per customer"],
        },
        {
            "name": "average_order_value",
            "kind": "ratio",
            "table": "orders",
            "unit": "customer_id",
            "numerator": "SUM(amount)",
            "denominator": "COUNT(order_id)",
            "synonyms": ["aov", "average order value"],
        },
    ]
    catalog_path.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def _ask(root: Path, question: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    code = main(["sql", question, "--json", "--workspace", str(root)])
    out = capsys.readouterr()
    assert code == 0, out.err or out.out
    return json.loads(out.out)  # type: ignore[no-any-return]


def _gold(root: Path, sql: str) -> list[list[object]]:
    import duckdb

    con = duckdb.connect(str(root / "shop.duckdb"), read_only=True)
    try:
        return [list(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def test_init_found_the_join_keys(bookstore: Path) -> None:
    data = yaml.safe_load((bookstore / "catalog.yaml").read_text())
    pairs = {(j["left_table"], j["right_table"]) for j in data["join_keys"]}
    assert {("orders", "customers"), ("orders", "books")} <= pairs


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("how many customers are members", "SELECT COUNT(*) FROM customers WHERE is_member"),
        (
            "total revenue by genre in February",
            "SELECT b.genre, SUM(o.amount) FROM orders o JOIN books b ON o.book_id = b.book_id "
            "WHERE o.order_date BETWEEN DATE '2026-02-01' AND DATE '2026-02-28' "
            "GROUP BY 1 ORDER BY 1",
        ),
        (
            "revenue per customer by city",
            "SELECT c.city, SUM(o.amount) / COUNT(DISTINCT o.customer_id) FROM orders o "
            "JOIN customers c ON o.customer_id = c.customer_id GROUP BY 1 ORDER BY 1",
        ),
        (
            "average order value for science fiction books last month",
            "SELECT SUM(o.amount) / COUNT(o.order_id) FROM orders o JOIN books b "
            "ON o.book_id = b.book_id WHERE b.genre = 'scifi' "
            "AND o.order_date BETWEEN DATE '2026-03-01' AND DATE '2026-03-31'",
        ),
        (
            # A group of entities shows each one's name beside its key.
            "top 3 books by quantity",
            "SELECT o.book_id, b.title, SUM(o.quantity) AS q FROM orders o JOIN books b "
            "ON o.book_id = b.book_id GROUP BY 1, 2 ORDER BY q DESC, 1 LIMIT 3",
        ),
        (
            "purchases per day in the last 5 days",
            "SELECT order_date, COUNT(*) FROM orders WHERE order_date BETWEEN DATE '2026-03-27' "
            "AND DATE '2026-03-31' GROUP BY 1 ORDER BY 1",
        ),
    ],
)
def test_planner_answers_from_the_bookstore_catalog(
    bookstore: Path, question: str, gold: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _ask(bookstore, question, capsys)
    assert data["valid"] and data["source"] == "planner"
    expected = _gold(bookstore, gold)
    assert len(data["rows"]) == len(expected)
    for got, want in zip(data["rows"], expected, strict=True):
        assert [str(v) if not isinstance(v, float) else pytest.approx(v) for v in got] == [
            str(v) if not isinstance(v, float) else v for v in want
        ]
