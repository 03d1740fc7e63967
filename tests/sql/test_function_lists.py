"""The committed function allow-lists are what the derivation gives for the installed engines,
so an engine upgrade that adds functions fails here until the list is regenerated and reviewed."""

from __future__ import annotations

import pytest

from tools.sql.functions import function_list, list_path
from tools.sql.functions.derive import derive


@pytest.mark.parametrize("dialect", ["duckdb", "sqlite"])
def test_committed_list_matches_the_engine_catalog(dialect: str) -> None:
    committed = list_path(dialect).read_text(encoding="utf-8").splitlines()
    assert committed == derive(dialect)


def test_lists_refuse_table_functions_and_reviewed_names() -> None:
    duck = function_list("duckdb")
    assert duck is not None
    for name in (
        "read_csv",
        "glob",
        "query",
        "duckdb_settings",
        "format_type",
        "get_block_size",
        "json_serialize_plan",
        "current_setting",
        "getvariable",
    ):
        assert name not in duck.allowed, name
    for name in ("sum", "count", "date_trunc", "row_number", "list", "repeat", "unnest"):
        assert name in duck.allowed, name
    pg = function_list("postgres")
    assert pg is not None
    for name in (
        "format_type",
        "current_setting",
        "pg_sleep",
        "nextval",
        "generate_series",
        "lo_import",
        "set_config",
        "pg_read_file",
    ):
        assert name not in pg.allowed, name
    for name in ("sum", "count", "date_trunc", "string_agg", "random", "now"):
        assert name in pg.allowed, name


def test_a_dialect_without_a_list_says_so() -> None:
    assert function_list("trino") is None
