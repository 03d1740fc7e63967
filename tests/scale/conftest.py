"""One Spark Connect server for the tests of this folder, with the small demo loaded into it.

The JVM starts once and every Spark test shares it; it is stopped when the folder's last test
is done (also when a test fails). The one test that kills a server runs last in the folder.
Tests skip, saying why, when pyspark or Java is missing.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.spark_server import SparkServer, start_spark_server, why_spark_cannot_run


@pytest.fixture(scope="package")
def spark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkServer]:
    reason = why_spark_cannot_run()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("spark")
    try:
        server = start_spark_server(root, token=secrets.token_hex(16))
    except RuntimeError as exc:
        pytest.fail(f"cannot start a Spark Connect server here: {exc}")
    try:
        yield server
    finally:
        server.stop()


def workspace_on(source: Path, target: Path, url: str) -> Path:
    """A copy of the demo workspace `source` whose warehouse is the server at `url`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "catalog.yaml", target / "catalog.yaml")
    text = (source / "lablens.toml").read_text(encoding="utf-8")
    text = text.replace('path = "warehouse.duckdb"', f'url = "{url}"')
    text = text.replace('dialect = "duckdb"\n', "")  # the URL names the dialect
    # Generous for a shared 2-core machine; the deadline itself is tested on its own.
    text = text.replace("timeout_s = 30.0", "timeout_s = 120.0")
    assert url in text and "timeout_s = 120.0" in text
    (target / "lablens.toml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="package")
def spark_demo(
    spark_server: SparkServer, small_demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A workspace reading the small demo's tables from Spark (parquet copies of the DuckDB
    tables), loaded once."""
    from tests.scale.spark_load import export_parquet, load_into_spark

    files = export_parquet(small_demo_workspace / "warehouse.duckdb", spark_server.root / "pq")
    load_into_spark(spark_server.url, files)
    return workspace_on(small_demo_workspace, tmp_path_factory.mktemp("spark_ws"), spark_server.url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that stops the shared server runs after this folder's other tests, and the
    # folder's tests stay together (so the server starts once and stops with the folder).
    here = Path(__file__).parent
    mine = [i for i, item in enumerate(items) if here in Path(str(item.path)).parents]
    if not mine:
        return
    block = [items[i] for i in mine]
    block.sort(key=lambda item: item.get_closest_marker("kills_server") is not None)
    for i, item in zip(mine, block, strict=True):
        items[i] = item
