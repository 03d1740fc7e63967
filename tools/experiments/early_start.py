"""Starting the warehouse's worker early, when a run will need it.

A first analysis spends a few hundred milliseconds before its first query (imports, the
catalog, building and validating its statements) and the DuckDB worker as long again
starting (a Python process importing DuckDB and opening the file). Started first, the worker
does that alongside, on the other core. A run the result cache answers never needs it, so
the worker is started only when the cache holds nothing for the warehouse as it is now.
Light on purpose: it runs before the analysis modules are imported.
"""

from __future__ import annotations

from pathlib import Path

from tools.experiments.result_cache import open_cache


def start_unless_cached(warehouse: object, cache_dir: Path | None, experiment_id: str) -> bool:
    """Start `warehouse`'s worker now unless the experiment's cache may answer; whether it did.

    A warehouse without a `start` method (no worker process to start) is left alone.
    """
    start = getattr(warehouse, "start", None)
    if not callable(start):
        return False
    cache = open_cache(cache_dir, experiment_id, warehouse)
    if cache is not None and cache.holds_results():
        return False
    start()
    _load_first_run_modules()
    return True


def _load_first_run_modules() -> None:
    """Import what a first run needs before its first statement, while the worker starts.

    The catalog's loader (PyYAML), the validator's rules and sqlglot's DuckDB dialect (every
    statistics statement is written in it) would otherwise load one after the other on the
    way to the first statement, with the worker ready and idle; here they load on this core
    while the worker starts on the other. A cached run starts no worker and skips this.
    """
    import sqlglot.dialects.duckdb  # noqa: F401

    import tools.catalog.load
    import tools.sql.rules  # noqa: F401
