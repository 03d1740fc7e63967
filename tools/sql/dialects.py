"""Dialect names people type, mapped onto sqlglot dialects; an unknown name is a clear error."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from tools.did_you_mean import did_you_mean
from tools.errors import InputError

if TYPE_CHECKING:
    from sqlglot.dialects.dialect import Dialect

# The dialects lablens promises to read and write; sqlglot knows more and they are accepted too.
SUPPORTED = ("duckdb", "postgres", "sqlite", "trino", "spark", "bigquery", "snowflake")

# Names people (and SQLAlchemy URLs) use for the same dialect.
ALIASES = {
    "postgresql": "postgres",
    "pg": "postgres",
    "psql": "postgres",
    "sqlite3": "sqlite",
    "presto": "presto",
    "sparksql": "spark",
    "databricks": "databricks",
    "mssql": "tsql",
    "sqlserver": "tsql",
}


@cache
def _known() -> frozenset[str]:
    from sqlglot.dialects.dialect import Dialects

    return frozenset(d.value for d in Dialects if d.value)


def dialect_name(name: str) -> str:
    """The canonical sqlglot name for `name`; raises `InputError` with a suggestion if unknown."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    known = _known()
    if key in known:
        return key
    close = did_you_mean(key, [*sorted(known), *ALIASES], n=1)
    hint = f"{close} " if close else ""
    raise InputError(
        f"Unknown SQL dialect {name!r}.",
        hint=f"{hint}Supported: {', '.join(SUPPORTED)} (and other sqlglot dialects).",
    )


def get_dialect(name: str) -> Dialect:
    from sqlglot.dialects.dialect import Dialect

    return Dialect.get_or_raise(dialect_name(name))
