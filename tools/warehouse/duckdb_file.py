"""Opening DuckDB files, with engine errors turned into `WarehouseError`.

`open_hardened` is what queries run on: read-only, no file system or network access, no
extension loading, a memory limit, and the configuration locked so no statement can undo it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.errors import WarehouseError

if TYPE_CHECKING:
    import duckdb


def open_duckdb(
    path: Path, *, read_only: bool = True, config: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file; read-only unless asked, and an unreadable file is a clear error."""
    import duckdb

    if read_only and not path.is_file():
        raise WarehouseError(
            f"Warehouse file not found: {path}", hint="Check `[warehouse] path` in lablens.toml."
        )
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except (duckdb.Error, OSError) as exc:
        raise WarehouseError(
            f"Cannot open warehouse {path}: {exc}",
            hint="Is it a DuckDB file, and readable? A process writing to it "
            "holds a lock until it closes.",
        ) from None


def hardened_config(memory_limit: str | None = None) -> dict[str, Any]:
    """DuckDB settings for a connection that may only read the tables already in the file."""
    config: dict[str, Any] = {
        "enable_external_access": False,  # no files, URLs, ATTACH, COPY, secrets on disk
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "lock_configuration": True,  # last: nothing above can be SET or RESET afterwards
    }
    if memory_limit:
        config = {"memory_limit": memory_limit, **config}
    return config


def open_hardened(path: Path, *, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    return open_duckdb(path, read_only=True, config=hardened_config(memory_limit))
