"""One Spark Connect server per test session, with the demo warehouse loaded into it.

The JVM starts once (about 30 s here) and every Spark test shares it; a test that kills a
server starts its own. Tests skip, saying why, when pyspark or Java is missing.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.spark_server import SparkServer, start_spark_server, why_spark_cannot_run


@pytest.fixture(scope="session")
def spark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkServer]:
    reason = why_spark_cannot_run()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("spark")
    try:
        server = start_spark_server(root, token=secrets.token_hex(16))
    except RuntimeError as exc:
        pytest.skip(f"cannot start a Spark Connect server here: {exc}")
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
    # A local Spark on a shared 2-core machine is slow; the deadline is tested on its own.
    text = text.replace("timeout_s = 30.0", "timeout_s = 600.0")
    assert url in text and "timeout_s = 600.0" in text
    (target / "lablens.toml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def spark_demo(
    spark_server: SparkServer, demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A workspace reading the demo tables from Spark (parquet copies of the DuckDB tables)."""
    from tests.scale.spark_load import export_parquet, load_into_spark

    files = export_parquet(demo_workspace / "warehouse.duckdb", spark_server.root / "parquet")
    load_into_spark(spark_server.url, files)
    return workspace_on(demo_workspace, tmp_path_factory.mktemp("spark_ws"), spark_server.url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that stop a server run last, so no other test finds it gone.
    items.sort(key=lambda item: item.get_closest_marker("kills_server") is not None)
