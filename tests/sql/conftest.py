"""A small hand-written warehouse and workspace for the SQL tests (no demo generator)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from tools.catalog.load import parse_catalog
from tools.catalog.model import Catalog

CATALOG_YAML = """\
version: 1
name: shop
dialect: duckdb
tables:
  - name: events
    description: one row per user, day and surface
    partition_column: ds
    require_partition_filter: true
    time_column: ds
    unit_column: user_id
    columns:
      - {name: ds, type: DATE, is_date: true}
      - {name: user_id, type: BIGINT}
      - {name: surface, type: VARCHAR, values: [home, search]}
      - {name: saves, type: INTEGER}
      - {name: impressions, type: INTEGER}
  - name: users
    columns:
      - {name: user_id, type: BIGINT}
      - {name: country, type: VARCHAR}
      - {name: signup_date, type: DATE}
join_keys:
  - {left_table: events, left_column: user_id, right_table: users, right_column: user_id}
"""

BUILD_SQL = """
CREATE TABLE users AS
  SELECT range AS user_id, ['US', 'FR', 'JP'][range % 3 + 1] AS country,
         DATE '2024-01-01' + CAST(range % 30 AS INTEGER) AS signup_date
  FROM range(60);
CREATE TABLE events AS
  SELECT DATE '2024-03-01' + CAST(d AS INTEGER) AS ds, u AS user_id,
         CASE WHEN (u + d) % 2 = 0 THEN 'home' ELSE 'search' END AS surface,
         CAST((u * 7 + d * 3) % 5 AS INTEGER) AS saves,
         CAST(10 + (u + d) % 7 AS INTEGER) AS impressions
  FROM range(60) t(u), range(10) s(d);
CREATE TABLE secrets_not_in_catalog AS SELECT 'hunter2' AS password;
"""


def build_warehouse(path: Path) -> Path:
    conn = duckdb.connect(str(path))
    try:
        conn.execute(BUILD_SQL)
        conn.execute("CHECKPOINT")
    finally:
        conn.close()
    return path


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def shop_catalog() -> Catalog:
    return parse_catalog(CATALOG_YAML)


@pytest.fixture(scope="session")
def shop_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace folder: lablens.toml, catalog.yaml and warehouse.duckdb (read-only use)."""
    root = tmp_path_factory.mktemp("shop")
    (root / "catalog.yaml").write_text(CATALOG_YAML, encoding="utf-8")
    (root / "lablens.toml").write_text(
        'catalog = "catalog.yaml"\n\n[warehouse]\npath = "warehouse.duckdb"\n'
        'dialect = "duckdb"\ntimeout_s = 10.0\nrow_cap = 100\n',
        encoding="utf-8",
    )
    build_warehouse(root / "warehouse.duckdb")
    return root


@pytest.fixture(scope="session")
def shop_warehouse_path(shop_root: Path) -> Path:
    return shop_root / "warehouse.duckdb"
