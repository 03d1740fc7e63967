"""Warehouses of other domains, each from its own deterministic generator, for evaluating the
planner on catalogs written by `lablens init` alone (no hand edits)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.planner.warehouses.ads import build_ads
from tests.planner.warehouses.shop import build_shop

BUILDERS: dict[str, Callable[[Path], None]] = {"shop": build_shop, "ads": build_ads}


def init_workspace(kind: str, root: Path) -> Path:
    """Generate the `kind` warehouse under `root` and catalog it with `lablens init` only."""
    from agent.cli import main

    root.mkdir(parents=True, exist_ok=True)
    db = root / f"{kind}.duckdb"
    BUILDERS[kind](db)
    code = main(["init", "--warehouse", str(db), "--workspace", str(root), "--json"])
    if code != 0:
        raise RuntimeError(f"lablens init failed on {db} (exit {code})")
    return root
