"""The adversarial corpus: none validates, none executes, the warehouse file stays identical.

Each statement goes through `run_validated` (must be refused before reaching the engine) and,
for defence in depth, straight to the hardened connection: entries marked `[engine]` must be
refused by DuckDB itself, and no entry may change the file or create files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sql.adversarial_corpus import load_corpus
from tests.sql.conftest import build_warehouse, file_sha256
from tests.sql.test_executor import SpyWarehouse
from tools.catalog.model import Catalog
from tools.errors import InputError, LablensError
from tools.sql.validate import validate_sql
from tools.warehouse.connection import WarehouseConfig, open_warehouse
from tools.warehouse.run import run_validated

ENTRIES = load_corpus()


def test_corpus_is_large_and_named_uniquely() -> None:
    assert len(ENTRIES) >= 150
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "sqlite"])
def test_no_adversarial_statement_validates(
    shop_catalog: Catalog, tmp_path: Path, dialect: str
) -> None:
    accepted = []
    for entry in load_corpus(tmp_path):
        try:
            report = validate_sql(entry.sql, shop_catalog, dialect=dialect, read_dialect="duckdb")
        except InputError:
            continue  # refused before analysis: also a rejection
        if report.valid:
            accepted.append(entry.name)
    assert accepted == []


def test_none_executes_and_the_warehouse_is_byte_identical(
    shop_catalog: Catalog, tmp_path: Path
) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    before = file_sha256(path)
    engine_accepted: list[str] = []
    config = WarehouseConfig(path=path, timeout_s=1, row_cap=5, memory_limit="256MB")
    with open_warehouse(config, tmp_path) as warehouse:
        spy = SpyWarehouse(warehouse)
        for entry in load_corpus(sandbox):
            report, result = run_validated(entry.sql, shop_catalog, spy)
            assert not report.valid and result is None, entry.name
            assert spy.calls == [], entry.name
            try:
                warehouse.execute(entry.sql)
            except LablensError:
                continue
            if entry.engine_refuses:
                engine_accepted.append(entry.name)
    assert engine_accepted == []
    assert list(sandbox.iterdir()) == []
    assert file_sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sandbox", "w.duckdb"]


def test_engine_layer_refuses_a_meaningful_share_on_its_own() -> None:
    # Defence in depth is real, not nominal: most write/IO/settings tricks are engine-refused.
    assert sum(e.engine_refuses for e in ENTRIES) >= 120
