"""No table functions and no file or URL reads: a query reads catalog tables, nothing else.

Refuses `read_csv(…)`/`read_parquet(…)`/`glob(…)`/any function in FROM or LATERAL (except
`unnest` and series generators, which read no data), and DuckDB replacement scans such as
`FROM 'data.csv'` or `FROM "s3://bucket/x.parquet"`, where a string names a file.
"""

from __future__ import annotations

import re

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.names import fold, function_names, table_name
from tools.sql.problems import Problem, error

# Functions in FROM that generate rows without reading anything.
ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "unnest",
        "explode",
        "explode_outer",
        "posexplode",
        "range",
        "generate_series",
        "generate_subscripts",
    }
)

_PATH = re.compile(
    r"""[/\\]|://|[*?]|^~|\.(csv|tsv|txt|parquet|json|jsonl|ndjson|gz|gzip|zst|bz2|xz|xlsx?|
    db|duckdb|sqlite3?|arrow|feather|avro|orc|ipc|delta|iceberg)$""",
    re.IGNORECASE | re.VERBOSE,
)

_HINT = "Query the catalog's tables; files and URLs cannot be read from lablens SQL."


def looks_like_path(name: str) -> bool:
    """A table name that is really a file, glob or URL (DuckDB would scan it)."""
    return bool(_PATH.search(fold(name)))


def file_reads(ctx: RuleContext) -> list[Problem]:
    if not ctx.is_query:
        return []
    problems: list[Problem] = []
    for node in ctx.tree.walk():
        if isinstance(node, exp.Table):
            problems.extend(_check_table(node))
        elif isinstance(node, (exp.Lateral, exp.TableFromRows)):
            fn = node.this
            if isinstance(fn, exp.Func) and not function_names(fn) & ALLOWED_TABLE_FUNCTIONS:
                problems.append(_table_function(fn))
    return problems


def _check_table(table: exp.Table) -> list[Problem]:
    source = table.this
    if source is None:  # e.g. `DROP SCHEMA s` names no table; read_only reports the statement
        return []
    if isinstance(source, exp.Func):
        if function_names(source) & ALLOWED_TABLE_FUNCTIONS:
            return []
        return [_table_function(source)]
    if isinstance(source, exp.Literal) or (
        isinstance(source, exp.Identifier) and looks_like_path(table_name(table))
    ):
        name = source.name
        return [
            error(
                "file-read", f"`{name}` is a file or URL, not a catalog table.", _HINT, node=table
            )
        ]
    if not isinstance(source, exp.Identifier):
        return [
            error(
                "table-function",
                f"Unsupported table source `{source.sql()[:60]}`.",
                _HINT,
                node=table,
            )
        ]
    return []


def _table_function(fn: exp.Func) -> Problem:
    name = sorted(function_names(fn))[0] if isinstance(fn, exp.Anonymous) else fn.sql_name()
    return error(
        "table-function", f"Table function `{name.lower()}(…)` is not allowed.", _HINT, node=fn
    )
