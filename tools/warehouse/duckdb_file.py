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


def open_hardened(
    path: Path,
    *,
    memory_limit: str | None = None,
    temp_dir: Path | None = None,
    max_temp_size: str | None = None,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """`hardened_config`, plus where DuckDB may spill: only `temp_dir` (at most
    `max_temp_size`), or nowhere when it is None.

    DuckDB refuses to set `temp_directory` once external access is off, so the connection
    opens with the spill settings, then turns external access off and locks the
    configuration before anything else can run on it.
    """
    config = hardened_config(memory_limit)
    external = config.pop("enable_external_access")
    lock = config.pop("lock_configuration")
    config["temp_directory"] = str(temp_dir) if temp_dir else ""
    if temp_dir and max_temp_size:
        config["max_temp_directory_size"] = max_temp_size
    if threads:
        config["threads"] = threads
    conn = open_duckdb(path, read_only=True, config=config)
    conn.execute(f"SET enable_external_access = {'true' if external else 'false'}")
    conn.execute(f"SET lock_configuration = {'true' if lock else 'false'}")
    return conn
