"""`lablens init`: a starter workspace for any DuckDB warehouse."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli_args import add_common_flags


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "init",
        help="write lablens.toml and a starter catalog by introspecting a warehouse",
        description="Introspect a DuckDB file (tables, columns, types, low-cardinality values, "
        "date columns, join keys) and write a starter catalog.yaml and lablens.toml.",
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
    result = {
        "workspace": str(root),
        "config": str(config_path),
        "catalog": str(catalog_path),
        "tables": [t.name for t in catalog.tables],
    }
    if args.json:
        emit_json(result)
        return 0
    c = console()
    c.print(
        f"[bold green]Wrote[/] {catalog_path} ({len(catalog.tables)} tables) and {config_path}."
    )
    c.print(
        "Next: add descriptions, synonyms and metrics to the catalog; "
        "`lablens catalog show` to review."
    )
    return 0
