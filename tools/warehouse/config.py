"""The typed configuration every warehouse adapter is opened with."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from tools.errors import ConfigError

# Spill files of the DuckDB worker go here, under the workspace's state folder.
TEMP_DIR_NAME = "duckdb_tmp"


class WarehouseSettingsLike(Protocol):
    """What `WarehouseConfig.from_settings` reads; `agent.config.WarehouseSettings` has it."""

    path: str | None
    url: str | None
    dialect: str
    timeout_s: float
    row_cap: int
    memory_limit: str


@dataclass(frozen=True)
class WarehouseConfig:
    """Where the warehouse is and the limits every query runs under.

    `memory_limit` is DuckDB's own; `process_memory` bounds the worker process's address
    space beyond what it has mapped once open (default: `memory_limit` + 1 GiB for what the
    engine allocates outside its buffer manager and for the Python values of the result).
    `temp_dir` is where DuckDB may spill, at most `max_temp_size`; None turns spilling off.
    """

    path: Path | None = None
    url: str | None = None
    dialect: str = "duckdb"
    timeout_s: float | None = 30.0
    row_cap: int = 10_000
    memory_limit: str | None = "2GB"
    max_result_bytes: int = 16 * 1024 * 1024
    max_cell_bytes: int = 64 * 1024
    process_memory: str | None = None
    temp_dir: Path | None = None
    max_temp_size: str = "1GB"
    threads: int | None = None

    @classmethod
    def from_settings(cls, settings: WarehouseSettingsLike, root: Path) -> WarehouseConfig:
        """From the workspace's `[warehouse]` settings; `path` is relative to `root`."""
        path = None
        if not settings.url and settings.path:
            path = Path(settings.path).expanduser()
            path = path if path.is_absolute() else (root / path)
        return cls(
            path=path,
            url=settings.url,
            dialect=settings.dialect,
            timeout_s=settings.timeout_s,
            row_cap=settings.row_cap,
            memory_limit=settings.memory_limit,
            temp_dir=root / ".lablens" / TEMP_DIR_NAME,
        )

    def with_path(self, path: Path) -> WarehouseConfig:
        return replace(self, path=path, url=None, dialect="duckdb")

    def address_space_extra(self) -> int | None:
        """Bytes the worker may map beyond its size once open; None for no bound."""
        if self.process_memory:
            return parse_size(self.process_memory)
        if self.memory_limit:
            return parse_size(self.memory_limit) + (1 << 30)
        return None


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """`"2GB"`, `"512 MiB"`, `"100000"` -> bytes (binary units, as DuckDB reads them)."""
    match = _SIZE.match(text)
    if not match:
        raise ConfigError(
            f"Cannot read the size {text!r}.", hint="Write a size such as 512MB or 2GB."
        )
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit[:1].upper()])
