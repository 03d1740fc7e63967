"""A per-experiment cache of statistics results, in the workspace's state folder.

A statistics query reads millions of rows and returns a few (per-arm sums); the same
experiment is summarised again and again while nothing in the warehouse changes. The cache
keeps those few rows, keyed by

- the validated statement text (it names the experiment, its dates and scope, every metric
  expression, winsorisation cap and segment column), and
- a fingerprint of the warehouse file: size, modification and change times (ns) and inode,
  and the same for its write-ahead log. Any write to the DuckDB file changes them, and the
  change time cannot be set back by hand, so a result is never served for other data.

Only DuckDB file warehouses have a fingerprint; other warehouses are never cached. One JSON
file per experiment holds the entries of the current fingerprint only (older ones are dropped
when a new result is stored). Values are plain JSON (floats round-trip exactly); dates,
datetimes and decimals are tagged. Delete the folder to clear the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tools.warehouse.execute import QueryResult

FORMAT = 1
FOLDER = "experiment-cache"


def warehouse_fingerprint(warehouse: object) -> str | None:
    """The fingerprint of a DuckDB file warehouse (see module doc); None for any other."""
    path = getattr(warehouse, "path", None)
    if getattr(warehouse, "dialect", None) != "duckdb" or not isinstance(path, Path):
        return None
    parts = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            st = file.stat()
        except FileNotFoundError:
            parts.append(f"{file.name}:none")
            continue
        except OSError:
            return None
        parts.append(f"{file.resolve()}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}")
    return "|".join(parts)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    raise TypeError(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        ((kind, text),) = value.items()
        if kind == "datetime":
            return datetime.fromisoformat(text)
        if kind == "date":
            return date.fromisoformat(text)
        return Decimal(text)
    return value


class ResultCache:
    """Cached result rows of one experiment's statements under one warehouse fingerprint."""

    def __init__(self, folder: Path, experiment_id: str, fingerprint: str) -> None:
        digest = hashlib.sha256(experiment_id.encode()).hexdigest()[:16]
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in experiment_id)[:60]
        self.path = folder / f"{safe}-{digest}.json"
        self.fingerprint = fingerprint
        self.hits = 0

    def _key(self, sql: str) -> str:
        return hashlib.sha256(f"{FORMAT}\0{self.fingerprint}\0{sql}".encode()).hexdigest()

    def _entries(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: recompute
        if not isinstance(data, dict) or data.get("fingerprint") != self.fingerprint:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def holds_results(self) -> bool:
        """Whether any result is stored under the current fingerprint (a repeat run)."""
        return any(isinstance(e, dict) and "rows" in e for e in self._entries().values())

    def get_proven(self, source_key: str) -> QueryResult | None:
        """The result stored for a source statement whose verdict was `valid` under the same
        validator, catalog and warehouse state (`source_key`, see `query.proof_key`)."""
        entry = self._entries().get(source_key)
        if not isinstance(entry, dict) or not isinstance(entry.get("validated"), str):
            return None
        return self.get(entry["validated"])

    def put_proven(self, source_key: str, validated_sql: str) -> None:
        """Remember that the statement of `source_key` validated to `validated_sql`."""
        self._write({source_key: {"validated": validated_sql}})

    def get(self, sql: str) -> QueryResult | None:
        """The result stored for `sql` under the current fingerprint, or None."""
        entry = self._entries().get(self._key(sql))
        if not isinstance(entry, dict) or entry.get("sql") != sql:
            return None
        self.hits += 1
        rows = [[_decode(v) for v in row] for row in entry["rows"]]
        return QueryResult(list(entry["columns"]), rows, truncated=False, elapsed_ms=0.0, sql=sql)

    def put(self, sql: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Store `rows`; values JSON cannot hold exactly are not cached (silently)."""
        try:
            encoded = [[_encode(v) for v in row] for row in rows]
        except TypeError:
            return
        self._write({self._key(sql): {"sql": sql, "columns": list(columns), "rows": encoded}})

    def _write(self, new_entries: dict[str, Any]) -> None:
        entries = {**self._entries(), **new_entries}
        data = {"format": FORMAT, "fingerprint": self.fingerprint, "entries": entries}
        # Write then rename: a reader never sees half a file, even with two runs at once.
        tmp: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(tmp, self.path)
        except OSError:  # a cache that cannot be written only costs the next run time
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def open_cache(folder: Path | None, experiment_id: str, warehouse: object) -> ResultCache | None:
    """The experiment's cache in `folder`, or None when caching is off or impossible."""
    if folder is None:
        return None
    fingerprint = warehouse_fingerprint(warehouse)
    return None if fingerprint is None else ResultCache(folder, experiment_id, fingerprint)
