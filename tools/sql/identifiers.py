"""Quoting identifiers for a SQL dialect: the one place a name becomes SQL text.

Names come from the catalog (tables, columns) or are chosen by lablens (CTE and column
aliases). Always quoted, so a reserved word or a name with odd characters stays one
identifier in every dialect; sqlglot renders the dialect's quote character and escapes it.
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp


@lru_cache(maxsize=4096)  # a statement quotes the same few hundred names again and again
def quote_identifier(name: str, dialect: str) -> str:
    """`name` as a quoted identifier in `dialect` (`"day"` in DuckDB, `` `day` `` in Spark)."""
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect)
