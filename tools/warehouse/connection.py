"""Opening the workspace's warehouse read-only: a DuckDB file or any SQLAlchemy URL.

Defence in depth behind the validator: even a statement that slipped past it cannot write,
read files, or change settings; every query has a deadline, a memory bound and caps on rows
and bytes. One module per adapter: `duckdb_adapter.py`, `sqlalchemy_adapter.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.errors import WarehouseError
from tools.warehouse.config import WarehouseConfig, WarehouseSettingsLike
from tools.warehouse.protocol import ColumnInfo, TableInfo, Warehouse

if TYPE_CHECKING:
    from tools.warehouse.duckdb_adapter import DuckDBWarehouse
    from tools.warehouse.sqlalchemy_adapter import SQLAlchemyWarehouse

__all__ = [
    "ColumnInfo",
    "DuckDBWarehouse",
    "SQLAlchemyWarehouse",
    "TableInfo",
    "Warehouse",
    "WarehouseConfig",
    "WarehouseSettingsLike",
    "open_warehouse",
    "warehouse_dialect",
]


def __getattr__(name: str) -> Any:
    # The adapters load on first use: `lablens validate` names no warehouse class.
    if name == "DuckDBWarehouse":
        from tools.warehouse.duckdb_adapter import DuckDBWarehouse

        return DuckDBWarehouse
    if name == "SQLAlchemyWarehouse":
        from tools.warehouse.sqlalchemy_adapter import SQLAlchemyWarehouse

        return SQLAlchemyWarehouse
    raise AttributeError(name)


def warehouse_dialect(settings: WarehouseConfig | WarehouseSettingsLike) -> str:
    """The SQL dialect queries must be written in, without opening anything.

    A URL names its engine (`postgresql://…` is postgres) and wins; otherwise `dialect`.
    """
    from tools.sql.dialects import dialect_name

    if settings.url and settings.url.startswith("sc://"):
        return "spark"  # Spark Connect
    if settings.url:
        scheme = settings.url.split("://", 1)[0].split("+", 1)[0]
        return dialect_name(scheme)
    return dialect_name(settings.dialect or "duckdb")


def open_warehouse(settings: WarehouseConfig | WarehouseSettingsLike, root: Path) -> Warehouse:
    """Open the workspace's warehouse read-only; `settings` is a `WarehouseConfig` or the
    workspace's `[warehouse]` settings (paths relative to `root`)."""
    from tools.warehouse.duckdb_adapter import DuckDBWarehouse
    from tools.warehouse.sqlalchemy_adapter import SQLAlchemyWarehouse

    config = (
        settings
        if isinstance(settings, WarehouseConfig)
        else WarehouseConfig.from_settings(settings, root)
    )
    if config.url:
        if config.url.startswith("duckdb:///"):
            path = Path(config.url.removeprefix("duckdb:///")).expanduser()
            return DuckDBWarehouse(config.with_path(path if path.is_absolute() else root / path))
        if config.url.startswith("sc://"):
            from tools.warehouse.spark_connect import SparkConnectWarehouse

            return SparkConnectWarehouse(config)
        return SQLAlchemyWarehouse(config)
    if config.path is None:
        raise WarehouseError(
            "No warehouse configured.",
            hint="Set `[warehouse] path` (a DuckDB file) or `url` in lablens.toml.",
        )
    return DuckDBWarehouse(config)
