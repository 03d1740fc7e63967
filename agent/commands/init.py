"""`lablens init`: a starter workspace for any warehouse an adapter opens."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from agent.cli_args import add_common_flags

if TYPE_CHECKING:
    from agent.config import WarehouseSettings
    from tools.catalog.model import Catalog
    from tools.warehouse.config import WarehouseConfig


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "init",
        help="write lablens.toml and a starter catalog by introspecting a warehouse",
        description="Introspect a warehouse — a DuckDB file, or any URL lablens has an adapter "
        "for (postgresql://…, any SQLAlchemy URL) — (tables, columns, types, low-cardinality "
        "values, date columns by type and content, keys and the entities *_id columns refer "
        "to, name columns, flags, status columns, default aggregations, join keys) and write a "
        "starter catalog.yaml and lablens.toml. With neither --warehouse nor --url, the "
        "warehouse of the workspace's lablens.toml is described and only catalog.yaml written.",
    )
    add_common_flags(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--warehouse", metavar="PATH", help="DuckDB file to describe")
    where.add_argument(
        "--url", metavar="URL", help="warehouse URL to describe (e.g. postgresql://user@host/db)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="deadline of each profiling query in seconds (default: the workspace's "
        "timeout_s, else 30); a huge table may need more",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing catalog/config")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.config import CONFIG_FILE
    from tools.errors import WorkspaceError

    root = Path(args.workspace).expanduser().resolve() if args.workspace else Path.cwd()
    config_path, catalog_path = root / CONFIG_FILE, root / "catalog.yaml"
    from_config = not args.warehouse and not args.url
    if from_config and not config_path.is_file():
        raise WorkspaceError(
            f"No warehouse to describe: {root} has no {CONFIG_FILE}.",
            hint="Pass --warehouse FILE (a DuckDB file) or --url URL (e.g. postgresql://…).",
        )
    if args.url and "://" not in args.url:
        # A file path given to --url: say which flag takes it instead of a parser error.
        raise WorkspaceError(
            f"--url takes a warehouse URL; {args.url!r} has no scheme.",
            hint="Pass a DuckDB file as --warehouse FILE, or a URL such as "
            "postgresql://user@host/db or sc://host:15002.",
        )
    targets = [catalog_path] if from_config else [config_path, catalog_path]
    existing = [p.name for p in targets if p.exists()]
    if existing and not args.force:
        raise WorkspaceError(
            f"{root} already has {', '.join(existing)}; nothing was written.",
            hint="Pass --force to overwrite.",
        )
    settings, config, name = _warehouse_to_describe(args, root, config_path)
    if args.timeout is not None:
        config = replace(config, timeout_s=args.timeout)
    # Introspect first: an unreadable or empty warehouse must leave nothing behind.
    catalog = _introspect(config, root, name)
    texts = {catalog_path: _catalog_text(catalog)}
    if settings is not None:
        texts[config_path] = _config_text(settings, catalog.dialect)
    for path, text in texts.items():
        _write_whole(path, text)
    url = settings.url if settings is not None else None
    result = InitResult(
        root,
        config_path,
        catalog_path,
        catalog,
        config_written=settings is not None,
        password_left_out=url is not None and without_password(url) != url,
    )
    from agent.output import console, emit_json

    if args.json:
        emit_json(result.to_dict())
        return 0
    c = console()
    for line in result.lines():
        c.print(line)
    return 0


def _warehouse_to_describe(
    args: argparse.Namespace, root: Path, config_path: Path
) -> tuple[WarehouseSettings | None, WarehouseConfig, str]:
    """(settings to write, or None to keep the file's; how to open it; the catalog's name)."""
    import os

    from agent.config import WarehouseSettings, load_settings
    from tools.warehouse.config import WarehouseConfig

    if args.warehouse:
        path = Path(args.warehouse).expanduser().resolve()
        return (
            WarehouseSettings(path=os.path.relpath(path, root)),
            WarehouseConfig(path=path),
            path.stem,
        )
    if args.url:
        return WarehouseSettings(url=args.url), WarehouseConfig(url=args.url), _url_name(args.url)
    current = load_settings(config_path).warehouse
    config = WarehouseConfig.from_settings(current, root)
    if config.url:
        return None, config, _url_name(config.url)
    return None, config, config.path.stem if config.path else "warehouse"


def _url_name(url: str) -> str:
    """The catalog's name for a URL: its database (`…/shop` → shop), else its host."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return Path(parts.path).stem or parts.hostname or "warehouse"


def _introspect(config: WarehouseConfig, root: Path, name: str) -> Catalog:
    from tools.catalog.introspect import introspect_warehouse
    from tools.warehouse.connection import open_warehouse

    with open_warehouse(config, root) as warehouse:
        return introspect_warehouse(warehouse, name=name)


def _catalog_text(catalog: Catalog) -> str:
    from tools.catalog.load import dump_catalog

    return dump_catalog(catalog)


def _config_text(settings: WarehouseSettings, dialect: str) -> str:
    """lablens.toml for the described warehouse; a password in the URL is never written."""
    from agent.config import DocsSettings, Settings, WarehouseSettings, render_config

    url = settings.url
    if url is not None:
        kept = WarehouseSettings(url=without_password(url), dialect=dialect)
        text = render_config(Settings(warehouse=kept, docs=DocsSettings(paths=["docs"])))
        if kept.url != url:
            note = (
                "# The URL's password is not written here: set LABLENS_WAREHOUSE_URL to the\n"
                "# whole URL, or use the driver's own password file (e.g. ~/.pgpass).\n"
            )
            text = text.replace("[warehouse]\n", "[warehouse]\n" + note, 1)
        return text
    return render_config(Settings(warehouse=settings, docs=DocsSettings(paths=["docs"])))


_SECRET_KEYS = ("password", "passwd", "pwd", "token", "secret", "key")


def without_password(url: str) -> str:
    """`url` without its secrets: the password of `user:password@`, and any `?name=value` or
    `;name=value` parameter named like a secret (`?password=…`, Spark Connect's `;token=…`)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    def secret(name: str) -> bool:
        return any(k in name.lower() for k in _SECRET_KEYS)

    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = netloc.rsplit("@", 1)[0].split(":", 1)[0] + "@" + host
    path, *params = parts.path.split(";")
    kept = [p for p in params if not secret(p.split("=", 1)[0])]
    path = ";".join([path, *kept])
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if not secret(k)])
    if (netloc, path, query) == (parts.netloc, parts.path, parts.query):
        return url
    # By hand: urlunsplit drops the `//` of an empty host (`sqlite:///x.db`).
    rebuilt = f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    return rebuilt + (f"#{parts.fragment}" if parts.fragment else "")


def _write_whole(path: Path, text: str) -> None:
    """Write `text` to a file beside `path`, then move it in: never a half-written file."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


@dataclass(frozen=True)
class InitResult:
    """What `lablens init` wrote and guessed: `to_dict()` is its --json, `lines()` its text."""

    workspace: Path
    config: Path
    catalog_path: Path
    catalog: Catalog
    config_written: bool
    password_left_out: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "workspace": str(self.workspace),
            "config": str(self.config),
            "catalog": str(self.catalog_path),
            "config_written": self.config_written,
            "dialect": self.catalog.dialect,
            "tables": [t.name for t in self.catalog.tables],
            "found": _found(self.catalog),
        }

    def lines(self) -> list[str]:
        """Rich-markup lines for a person: what was written, then each kind of guess."""
        from rich.markup import escape

        wrote = f"{self.config}" if self.config_written else f"nothing else ({self.config} kept)"
        out = [
            f"[bold green]Wrote[/] {escape(str(self.catalog_path))} "
            f"({len(self.catalog.tables)} tables) and {escape(wrote)}."
        ]
        if self.password_left_out:
            out.append(
                "  The URL's password was not written to lablens.toml: set "
                "LABLENS_WAREHOUSE_URL or the driver's password file."
            )
        for what, items in _found(self.catalog).items():
            if items:
                more = f" (+{len(items) - 8} more)" if len(items) > 8 else ""
                out.append(f"  {what}: {escape(', '.join(items[:8]) + more)}")
        out.append(
            "These are guesses from types and contents: correct them in the catalog, and add "
            "descriptions, synonyms and metrics; `lablens catalog show` to review."
        )
        return out


def _found(catalog: Catalog) -> dict[str, list[str]]:
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
