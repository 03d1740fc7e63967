"""`validate_sql`: parse, bound the complexity, run every rule in `RULES`, return one report.

Pure: no I/O except the optional `explain` callable the caller passes in (an engine dry run).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlglot import exp

from tools.errors import InputError
from tools.sql.context import CatalogView, Explain, RuleContext
from tools.sql.dialects import dialect_name, get_dialect
from tools.sql.parse import check_input, parse_statements, too_deep
from tools.sql.problems import Problem, ValidationReport

if TYPE_CHECKING:
    from tools.catalog.model import Catalog


def validate_sql(
    sql: str,
    catalog: Catalog,
    *,
    dialect: str,
    read_dialect: str | None = None,
    default_limit: int | None = 1000,
    explain: Explain | None = None,
) -> ValidationReport:
    """Check one statement against the catalog; `report.sql` is what may run on `dialect`.

    `dialect` is the warehouse's (output) dialect, `read_dialect` the dialect the SQL is
    written in (default: the same). `default_limit=None` adds no LIMIT. Raises `InputError`
    for input that is not a query at all (empty, oversized, nested too deeply, unknown dialect).
    """
    from tools.sql.complexity import MAX_TOKENS, check_tree
    from tools.sql.rules import run_rules

    write_name = dialect_name(dialect)
    read_name = dialect_name(read_dialect) if read_dialect else write_name
    sql = sql.removeprefix("\ufeff")  # a byte-order mark from a Windows editor is not SQL
    check_input(sql)
    if default_limit is not None and default_limit < 1:
        raise InputError(f"default_limit must be at least 1, got {default_limit}.")
    read, write = get_dialect(read_name), get_dialect(write_name)
    statements, problems = parse_statements(sql, read, max_tokens=MAX_TOKENS)
    if not problems:
        problems = [p for t in statements for p in check_tree(t)]
    if problems:
        return _report(sql.strip(), write_name, read_name, problems)
    ctx = RuleContext(
        sql=sql,
        statements=statements,
        catalog=catalog,
        view=catalog_view(catalog, read_name),
        write_view=catalog_view(catalog, write_name),
        read_dialect=read,
        write_dialect=write,
        default_limit=default_limit,
        explain=explain,
        tree=statements[0],
    )
    try:
        ctx = run_rules(ctx, problems)
    except RecursionError:
        raise too_deep() from None
    output = ctx.output_sql if ctx.output_sql is not None else sql.strip()
    return _report(output, write_name, read_name, problems)


def _report(sql: str, dialect: str, read_dialect: str, problems: list[Problem]) -> ValidationReport:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    return ValidationReport(
        valid=not errors,
        sql=sql,
        dialect=dialect,
        errors=errors,
        warnings=warnings,
        read_dialect=read_dialect,
    )


# Building a sqlglot schema costs more than validating a small query: keep one per catalog.
_VIEWS: dict[tuple[int, str], tuple[Catalog, str, CatalogView]] = {}
_VIEWS_LOCK = threading.Lock()


def catalog_view(catalog: Catalog, dialect: str) -> CatalogView:
    """The catalog as `dialect` sees it: a sqlglot `MappingSchema` and table names (cached)."""
    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
    from sqlglot.schema import MappingSchema

    from tools.sql.names import table_name

    mapping: dict[str, object] = dict(catalog.schema_mapping())
    fingerprint = repr(mapping)
    key = (id(catalog), dialect)
    with _VIEWS_LOCK:
        hit = _VIEWS.get(key)
        if hit is not None and hit[0] is catalog and hit[1] == fingerprint:
            return hit[2]
    # Catalog names are written as unquoted identifiers: normalized the way `dialect` would.
    tables = {
        table_name(normalize_identifiers(exp.to_table(t.name), dialect=dialect)): t.name
        for t in catalog.tables
    }
    view = CatalogView(schema=MappingSchema(mapping, dialect=dialect), tables=tables)
    with _VIEWS_LOCK:
        if len(_VIEWS) > 64:
            _VIEWS.clear()
        _VIEWS[key] = (catalog, fingerprint, view)
    return view
