"""`lablens init`: a starter workspace for any DuckDB warehouse."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli_args import add_common_flags


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "init",
        help="write lablens.toml and a starter catalog by introspecting a warehouse",
        description="Introspect a DuckDB file (tables, columns, types, low-cardinality values, "
        "date columns by type and content, keys and the entities *_id columns refer to, name "
        "columns, flags, status columns, default aggregations, join keys) and write a starter "
        "catalog.yaml and lablens.toml.",
    )
    add_common_flags(p)
    p.add_argument("--warehouse", required=True, metavar="PATH", help="DuckDB file to describe")
    p.add_argument("--force", action="store_true", help="overwrite an existing catalog/config")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from agent.config import CONFIG_FILE, DocsSettings, Settings, WarehouseSettings, render_config
    from agent.output import console, emit_json
    from tools.catalog.introspect import introspect_duckdb
    from tools.catalog.load import dump_catalog
    from tools.errors import WorkspaceError

    warehouse = Path(args.warehouse).expanduser().resolve()
    root = Path(args.workspace).expanduser().resolve() if args.workspace else Path.cwd()
    config_path, catalog_path = root / CONFIG_FILE, root / "catalog.yaml"
    existing = [p.name for p in (config_path, catalog_path) if p.exists()]
    if existing and not args.force:
        raise WorkspaceError(
            f"{root} already has {', '.join(existing)}; nothing was written.",
            hint="Pass --force to overwrite.",
        )
    # Introspect first: an unreadable warehouse must leave nothing behind.
    catalog = introspect_duckdb(warehouse)
    rel = os.path.relpath(warehouse, root)
    settings = Settings(warehouse=WarehouseSettings(path=rel), docs=DocsSettings(paths=["docs"]))
    root.mkdir(parents=True, exist_ok=True)
    catalog_path.write_text(dump_catalog(catalog), encoding="utf-8")
    config_path.write_text(render_config(settings), encoding="utf-8")
    found = _found(catalog)
    result = {
        "workspace": str(root),
        "config": str(config_path),
        "catalog": str(catalog_path),
        "tables": [t.name for t in catalog.tables],
        "found": found,
    }
    if args.json:
        emit_json(result)
        return 0
    c = console()
    c.print(
        f"[bold green]Wrote[/] {catalog_path} ({len(catalog.tables)} tables) and {config_path}."
    )
    from rich.markup import escape

    for what, items in found.items():
        if items:
            shown = ", ".join(items[:8]) + (f" (+{len(items) - 8} more)" if len(items) > 8 else "")
            c.print(f"  {what}: {escape(shown)}")
    c.print(
        "These are guesses from types and contents: correct them in the catalog, and add "
        "descriptions, synonyms and metrics; `lablens catalog show` to review."
    )
    return 0


def _found(catalog: Any) -> dict[str, list[str]]:
    """What introspection inferred, for people to check: one list per kind of guess."""
    out: dict[str, list[str]] = {
        "time columns": [],
        "entity names": [],
        "status columns": [],
        "flags": [],
        "averaged by default": [],
    }
    for t in catalog.tables:
        if t.time_column:
            out["time columns"].append(f"{t.name}.{t.time_column}")
        if t.name_column:
            out["entity names"].append(f"{t.name}.{t.name_column}")
        if t.status_column:
            out["status columns"].append(f"{t.name}.{t.status_column}")
        for col in t.columns:
            if col.synonyms and col.type.upper().startswith("BOOL"):
                out["flags"].append(f"{t.name}.{col.name} ({col.synonyms[0]})")
            if col.default_agg == "avg":
                out["averaged by default"].append(f"{t.name}.{col.name}")
    return out
