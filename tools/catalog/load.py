"""Reading and writing catalog files (YAML), with errors that name the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import yaml

from tools.catalog.model import Catalog
from tools.errors import CatalogError
from tools.strict_records import convert, first_problem, to_plain

# libyaml's loader when PyYAML was built with it: the pure-Python one is ~20x slower.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalog(path: Path) -> Catalog:
    """Parse and validate a catalog file; any problem raises `CatalogError` naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(
            f"Catalog file not found: {path}", hint="Run `lablens init` to write a starter catalog."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"Cannot read catalog {path}: {exc}") from None
    return parse_catalog(text, source=str(path))


def parse_catalog(text: str, *, source: str = "<catalog>") -> Catalog:
    try:
        data = yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"{source}{where}: malformed YAML: {problem}") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: a catalog must be a mapping with a `tables` list")
    try:
        return convert(data, Catalog)
    except msgspec.ValidationError as exc:
        problem = first_problem(exc)
        # The node tree (for line numbers) is built only on error: it costs 10x the load.
        line = _line_of(yaml.compose(text, Loader=yaml.SafeLoader), problem.loc)
        where = f" line {line}," if line else ""
        raise CatalogError(
            f"{source}:{where} field `{problem.dotted}`: {problem.message}",
            hint="Problems are reported one at a time: fix this one and re-run.",
        ) from None


def _line_of(node: Any, loc: list[Any]) -> int | None:
    """Follow an error location through the YAML node tree to a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, _ in node.value if k.value == part), None)
            if match is None:
                return line
            line = (key.start_mark.line + 1) if key is not None else match.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def dump_catalog(catalog: Catalog) -> str:
    """YAML text of a catalog, defaults left out so files stay short and readable."""
    data = to_plain(catalog)
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.write_text(dump_catalog(catalog), encoding="utf-8")
