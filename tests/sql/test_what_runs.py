"""Validate what runs: for statements in every supported input dialect, including the
constructs whose text changes meaning across dialects, the SQL that passes is the SQL the
warehouse reads — one SELECT for DuckDB's own parser, the same string literals for DuckDB's
own lexer, and a fixed point of validating it again in the warehouse's dialect."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from tests.sql.conftest import CATALOG_YAML
from tools.catalog.load import parse_catalog
from tools.errors import InputError
from tools.sql.dialects import SUPPORTED
from tools.sql.validate import validate_sql

CATALOG = parse_catalog(CATALOG_YAML)
INPUT_DIALECTS = (*SUPPORTED, "tsql", "mysql")
ISSUE_EXAMPLE = "SELECT @@A AS a, ' $$, current_setting($q$threads$q$) AS leak, $$ ' AS b, @@B"

# Pieces an attacker would combine: session variables, parameters, placeholders, dollar
# quotes, prefixed strings, comment starters and statement separators, in and out of strings.
EXOTIC = (
    "@@A",
    "@@session.x",
    "@x",
    "@t$",
    "$1",
    "$x",
    "?",
    ":x",
    "${x}",
    "$$x$$",
    "$q$x$q$",
    "E'\\\\'",
    "N'x'",
    "r'\\\\'",
    "X'41'",
    "U&'d\\\\0061'",
    "'$$'",
    "' $$, current_setting($q$threads$q$) AS leak, $$ '",
    "'; DROP TABLE users; --'",
    "'/*'",
    "'--'",
    "'\\\\'",
    '"users"',
    "`users`",
    "[users]",
    "country",
    "user_id",
    "1",
    "'FR'",
)
STRING_TEXT = st.text(alphabet="a$'\\;-/*@?:\"` \n", max_size=8)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def statements(draw: st.DrawFn) -> str:
    items = draw(
        st.lists(
            st.one_of(st.sampled_from(EXOTIC), STRING_TEXT.map(_literal)), min_size=1, max_size=4
        )
    )
    select = ", ".join(f"{item} AS c{i}" for i, item in enumerate(items))
    where = draw(st.sampled_from(("", " WHERE country = 'FR'", " WHERE user_id > 3")))
    return f"SELECT {select} FROM users{where}"


def _string_tokens_sqlglot(sql: str, dialect: str) -> int:
    kinds = {
        TokenType.STRING,
        TokenType.NATIONAL_STRING,
        TokenType.BYTE_STRING,
        TokenType.RAW_STRING,
        TokenType.HEX_STRING,
        TokenType.BIT_STRING,
        TokenType.UNICODE_STRING,
        TokenType.HEREDOC_STRING,
    }
    return sum(1 for t in Dialect.get_or_raise(dialect).tokenize(sql) if t.token_type in kinds)


def assert_runs_as_validated(sql: str, read: str, write: str) -> None:
    try:
        report = validate_sql(sql, CATALOG, dialect=write, read_dialect=read)
    except InputError:
        return  # refused before analysis
    if not report.valid:
        return
    final = report.sql
    # The warehouse dialect reads one statement, which validates again to the same text.
    again = validate_sql(final, CATALOG, dialect=write, read_dialect=write, default_limit=None)
    assert again.valid and again.sql == final, (sql, final, again.summary())
    if write == "duckdb":
        # DuckDB's own parser and lexer agree: one SELECT, the same string literals, no comment.
        parsed = duckdb.extract_statements(final)
        assert len(parsed) == 1 and parsed[0].type == duckdb.StatementType.SELECT, final
        tokens = duckdb.tokenize(final)
        assert not [t for t in tokens if t[1] == duckdb.token_type.comment], final
        strings = sum(1 for t in tokens if t[1] == duckdb.token_type.string_const)
        assert strings == _string_tokens_sqlglot(final, write), final


@pytest.mark.parametrize("read", INPUT_DIALECTS)
def test_the_issue_example_is_refused_in_every_dialect(read: str) -> None:
    try:
        report = validate_sql(ISSUE_EXAMPLE, CATALOG, dialect="duckdb", read_dialect=read)
    except InputError:
        return
    assert not report.valid, report.sql


FAST = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(statements(), st.sampled_from(INPUT_DIALECTS))
def test_transpiled_text_reparses_to_what_was_validated(sql: str, read: str) -> None:
    assert_runs_as_validated(sql, read, "duckdb")


@settings(max_examples=120, deadline=None, database=None)
@given(statements(), st.sampled_from(INPUT_DIALECTS))
def test_same_property_for_a_postgres_warehouse(sql: str, read: str) -> None:
    assert_runs_as_validated(sql, read, "postgres")


def test_some_generated_statements_do_validate() -> None:
    # The property is not vacuous: plain statements in every dialect pass and run as validated.
    for read in INPUT_DIALECTS:
        sql = "SELECT country AS c0, 'a$b' AS c1 FROM users WHERE user_id > 3"
        report = validate_sql(sql, CATALOG, dialect="duckdb", read_dialect=read)
        assert report.valid, (read, report.summary())
        assert_runs_as_validated(sql, read, "duckdb")
