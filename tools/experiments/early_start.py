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
    return True
