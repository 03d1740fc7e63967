"""The demo warehouse generator's entry point, kept for callers of `write_warehouse`; the
stages live in `population.py` → `tables.py` → `warehouse.py` (no stage imports a later one)."""

from __future__ import annotations

from agent.demo.warehouse import write_warehouse

__all__ = ["write_warehouse"]
