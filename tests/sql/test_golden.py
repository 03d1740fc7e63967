"""Golden pairs: input SQL in one dialect -> the validated SQL the warehouse dialect runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.catalog.model import Catalog
from tools.sql.validate import validate_sql

GOLDEN = Path(__file__).with_name("golden_transpile.sql")


def load_golden() -> list[tuple[str, str, str, str, str]]:
    """(title, read dialect, write dialect, input, expected output) per entry."""
    entries = []
    for block in GOLDEN.read_text(encoding="utf-8").split("-- title: ")[1:]:
        title, dialects, rest = block.split("\n", 2)
        read, write = (d.strip() for d in dialects.removeprefix("-- dialects:").split("->"))
        source, expected = rest.split("-- expect:\n")
        entries.append((title.strip(), read, write, source.strip(), expected.strip()))
    return entries


ENTRIES = load_golden()


def test_golden_file_has_every_supported_dialect() -> None:
    dialects = {d for _, r, w, _, _ in ENTRIES for d in (r, w)}
    assert dialects >= {"duckdb", "postgres", "sqlite", "trino", "spark", "bigquery", "snowflake"}


@pytest.mark.parametrize(
    ("title", "read", "write", "source", "expected"), ENTRIES, ids=[e[0] for e in ENTRIES]
)
def test_golden(
    shop_catalog: Catalog, title: str, read: str, write: str, source: str, expected: str
) -> None:
    report = validate_sql(source, shop_catalog, read_dialect=read, dialect=write)
    assert report.valid, report.summary()
    assert report.sql == expected
    # What runs is itself valid SQL of the warehouse dialect (sqlglot may respell a function,
    # LIST -> ARRAY_AGG, so the text need not be a fixed point).
    again = validate_sql(report.sql, shop_catalog, dialect=write)
    assert again.valid, again.summary()
