"""The one value sampler: which distinct values of a column make it a low-cardinality list.

`lablens init` writes these lists into the catalog and the planner samples the columns a
catalog leaves unlisted with the same rule, so both agree on what a "value" is.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_VALUES = 25  # a column with more distinct values than this is not low-cardinality
MAX_VALUE_CHARS = 40
MAX_VALUE_WORDS = 4
_TEXT_TYPES = ("VARCHAR", "TEXT", "STRING")


def is_text_type(type_name: str) -> bool:
    """Whether a column of this engine type holds text whose values may be sampled: VARCHAR,
    TEXT, STRING, ENUMs, and any CHAR type with or without a length (`VARCHAR(20)`,
    `CHARACTER VARYING(20)`, `CHAR(2)`)."""
    upper = type_name.upper()
    return upper in _TEXT_TYPES or upper.startswith("ENUM") or "CHAR" in upper


def distinct_values_sql(
    table: str, column: str, *, limit: int = MAX_VALUES + 1, dialect: str = "duckdb"
) -> str:
    """Distinct non-null values as text, capped at `limit` (one more than needed tells 'more'),
    built with sqlglot for `dialect`; names are always quoted."""
    from sqlglot import exp  # sqlglot is heavy: only when sampling

    col = exp.column(column, quoted=True)
    query = (
        exp.select(exp.cast(col, exp.DataType.build("VARCHAR")))
        .distinct()
        .from_(exp.Table(this=exp.to_identifier(table, quoted=True)))
        .where(col.copy().is_(exp.null()).not_())
        .order_by(exp.Literal.number(1))
        .limit(limit)
    )
    return query.sql(dialect=dialect)


def value_list(values: Sequence[object], *, n_rows: int | None = None) -> list[str] | None:
    """The sorted values when they form a value list: few, short, and (when the row count is
    known) repeating — free text such as names or descriptions is not a value list."""
    texts = [str(v) for v in values if v is not None]
    if not texts or len(texts) > MAX_VALUES:
        return None
    if n_rows is not None and len(texts) * 2 > n_rows:
        return None
    if any(len(t) > MAX_VALUE_CHARS or len(t.split()) > MAX_VALUE_WORDS for t in texts):
        return None
    return sorted(texts)
