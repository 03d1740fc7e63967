"""Each validator rule, one behaviour per test, over the hand-written shop catalog."""

from __future__ import annotations

import pytest

from tools.catalog.model import Catalog
from tools.errors import InputError
from tools.sql.problems import ValidationReport
from tools.sql.rules import RULES
from tools.sql.validate import validate_sql

DAY = "ds = DATE '2024-03-02'"


@pytest.fixture
def check(shop_catalog: Catalog):
    def run(sql: str, **kwargs: object) -> ValidationReport:
        kwargs.setdefault("dialect", "duckdb")
        return validate_sql(sql, shop_catalog, **kwargs)  # type: ignore[arg-type]

    return run


def test_rules_are_one_module_each_chained_in_order() -> None:
    names = [r.name for r in RULES]
    assert names == [
        "single_statement",
        "read_only",
        "file_reads",
        "denied_functions",
        "allowed_functions",
        "sqlite_strings",
        "catalog_tables",
        "resolve_columns",
        "partition_filter",
        "aggregates",
        "add_limit",
        "portable_percentiles",
        "transpile",
        "output_matches",
        "explain",
    ]
    for rule in RULES:
        assert rule.fn.__module__ == f"tools.sql.rules.{rule.name}"


def test_valid_query_is_normalized_and_limited(check) -> None:
    report = check(f"select surface, sum(saves) s from events where {DAY} group by surface")
    assert report.valid, report.summary()
    assert report.sql == (
        "SELECT surface, SUM(saves) AS s FROM events WHERE ds = "
        "CAST('2024-03-02' AS DATE) GROUP BY surface LIMIT 1000"
    )
    assert [w.code for w in report.warnings] == ["limit-added"]


def test_existing_limit_is_kept(check) -> None:
    report = check("SELECT country FROM users LIMIT 5")
    assert report.valid and report.sql.endswith("LIMIT 5") and not report.warnings


def test_default_limit_none_adds_nothing(check) -> None:
    report = check("SELECT country FROM users", default_limit=None)
    assert report.sql == "SELECT country FROM users"


def test_limit_is_configurable(check) -> None:
    assert check("SELECT country FROM users", default_limit=7).sql.endswith("LIMIT 7")


def test_limit_on_union_applies_to_the_whole_query(check) -> None:
    report = check("SELECT country FROM users UNION SELECT 'x'", default_limit=3)
    assert report.valid and report.sql.endswith("UNION SELECT 'x' LIMIT 3")


def test_parse_error_has_line_and_column(check) -> None:
    report = check("SELECT country\nFROM users WHERE AND user_id = 1")
    assert report.codes == ["parse-error"]
    assert report.errors[0].line == 2 and report.errors[0].column is not None


def test_unterminated_string_is_a_parse_error(check) -> None:
    assert check("SELECT 'abc FROM users").codes == ["parse-error"]


def test_two_statements_are_refused(check) -> None:
    report = check("SELECT 1; SELECT 2")
    assert report.codes == ["multiple-statements"]


def test_trailing_semicolon_is_one_statement(check) -> None:
    assert check("SELECT country FROM users;").valid


def test_data_modifying_cte_is_refused(check) -> None:
    report = check("WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x")
    assert report.codes == ["not-read-only"]
    assert "DELETE" in report.errors[0].message


def test_select_into_is_refused(check) -> None:
    assert "not-read-only" in check("SELECT * INTO t2 FROM users").codes


def test_unparsed_command_is_refused(check) -> None:
    report = check("VACUUM")
    assert report.codes == ["unparsed-statement"]


def test_non_query_statement_reports_once(check) -> None:
    assert check("SET memory_limit = '1GB'").codes == ["not-read-only"]


def test_table_function_is_refused(check) -> None:
    report = check("SELECT * FROM read_parquet('x.parquet')")
    assert report.codes == ["table-function"]


def test_replacement_scan_of_a_file_is_refused(check) -> None:
    assert check("SELECT * FROM 'data/users.csv'").codes == ["file-read"]


def test_series_generators_are_allowed_table_functions(check) -> None:
    assert check("SELECT * FROM range(3)").valid
    assert check("SELECT * FROM unnest([1, 2]) AS t(x)").valid


def test_denied_function_is_refused_anywhere(check) -> None:
    report = check("SELECT country FROM users WHERE country = getenv('USER')")
    assert report.codes == ["denied-function"]
    assert "getenv" in report.errors[0].message


def test_unknown_table_suggests_the_closest(check) -> None:
    report = check("SELECT * FROM user")
    assert report.codes == ["unknown-table"]
    assert report.errors[0].hint == "Did you mean `users`?"


def test_cte_names_are_tables_where_visible(check) -> None:
    assert check("WITH u AS (SELECT country FROM users) SELECT country FROM u").valid


def test_cte_is_not_visible_before_its_definition(check) -> None:
    report = check("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a")
    assert report.codes == ["unknown-table"]


def test_table_names_compare_the_way_the_warehouse_compares(check) -> None:
    # Quoted names are case-sensitive on PostgreSQL: "USERS" is another table there.
    assert check('SELECT country FROM "USERS"', dialect="duckdb").valid
    assert check('SELECT country FROM "USERS"', dialect="postgres").codes == ["unknown-table"]


def test_cte_shadowing_needs_the_same_name_in_the_warehouse(check) -> None:
    sql = 'WITH "SECRETS" AS (SELECT 1 AS x) SELECT x FROM secrets'
    assert check(sql, dialect="duckdb").valid
    assert check(sql, read_dialect="duckdb", dialect="postgres").codes == ["unknown-table"]


def test_full_width_look_alike_is_not_a_catalog_table(check) -> None:
    assert check("SELECT * FROM ｕｓｅｒｓ").codes == ["unknown-table"]


def test_recursive_cte_sees_itself(check) -> None:
    sql = (
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT n FROM r"
    )
    assert check(sql).valid


def test_unknown_column_did_you_mean(check) -> None:
    report = check("SELECT countyr FROM users")
    assert report.codes == ["unknown-column"]
    assert report.errors[0].hint == "Did you mean `country`?"
    assert (report.errors[0].line, report.errors[0].column) == (1, 14)


def test_unknown_qualified_column(check) -> None:
    report = check("SELECT u.county FROM users AS u")
    assert report.codes == ["unknown-column"] and "`u`" in report.errors[0].message


def test_every_unknown_column_is_reported(check) -> None:
    report = check("SELECT u.aa, u.bb FROM users AS u")
    assert report.codes == ["unknown-column", "unknown-column"]


def test_unknown_column_in_having(check) -> None:
    report = check("SELECT country FROM users GROUP BY country HAVING max(sigup_date) > 1")
    assert report.codes == ["unknown-column"]


def test_unknown_table_alias(check) -> None:
    report = check("SELECT x.country FROM users AS u")
    assert report.codes == ["unknown-table-alias"]


def test_ambiguous_column(check) -> None:
    report = check(
        f"SELECT user_id FROM events e JOIN users u ON e.user_id = u.user_id WHERE e.{DAY}"
    )
    assert report.codes == ["ambiguous-column"]
    assert "e.user_id" in (report.errors[0].hint or "")


def test_correlated_subquery_resolves_outer_columns(check) -> None:
    sql = (
        "SELECT u.country FROM users u WHERE EXISTS (SELECT 1 FROM events e "
        f"WHERE e.user_id = u.user_id AND e.{DAY})"
    )
    assert check(sql).valid


def test_order_by_output_alias(check) -> None:
    assert check("SELECT country AS c, count(*) AS n FROM users GROUP BY c ORDER BY n").valid


def test_missing_partition_filter(check) -> None:
    report = check("SELECT count(*) FROM events")
    assert report.codes == ["missing-partition-filter"]


def test_partition_filter_in_an_or_must_cover_every_branch(check) -> None:
    report = check(f"SELECT count(*) FROM events WHERE {DAY} OR saves > 1")
    assert report.codes == ["missing-partition-filter"]


def test_partition_is_null_is_no_filter(check) -> None:
    assert check("SELECT count(*) FROM events WHERE ds IS NOT NULL").codes == [
        "missing-partition-filter"
    ]


def test_partition_filter_needed_in_the_select_that_reads(check) -> None:
    report = check(f"SELECT * FROM (SELECT * FROM events) t WHERE t.{DAY}")
    assert report.codes == ["missing-partition-filter"]


def test_partition_filter_through_alias(check) -> None:
    assert check(
        "SELECT count(*) FROM events AS e WHERE e.ds BETWEEN DATE '2024-03-01' "
        "AND DATE '2024-03-03' AND e.saves > 0"
    ).valid


def test_ungrouped_column_is_an_error_on_duckdb(check) -> None:
    report = check("SELECT country, signup_date, count(*) FROM users GROUP BY country")
    assert report.codes == ["ungrouped-column"]


def test_ungrouped_column_is_a_warning_on_sqlite(check) -> None:
    report = check(
        "SELECT country, signup_date, count(*) FROM users GROUP BY country", dialect="sqlite"
    )
    assert report.valid and "ungrouped-column" in [w.code for w in report.warnings]


def test_group_by_ordinal_and_expression(check) -> None:
    assert check("SELECT year(signup_date), count(*) FROM users GROUP BY 1").valid
    assert check(
        "SELECT year(signup_date) + 1, count(*) FROM users GROUP BY year(signup_date)"
    ).valid


def test_window_aggregate_is_not_grouping(check) -> None:
    assert check("SELECT country, count(*) OVER (PARTITION BY country) FROM users").valid


def test_aggregate_without_group_by_and_a_bare_column(check) -> None:
    assert check("SELECT country, count(*) FROM users").codes == ["ungrouped-column"]


def test_transpiles_to_the_warehouse_dialect(check) -> None:
    report = check(
        "SELECT country, COUNTIF(user_id > 3) AS c FROM users GROUP BY country",
        read_dialect="bigquery",
        dialect="postgres",
        default_limit=None,
    )
    assert report.valid
    assert report.sql == (
        "SELECT country, SUM(CASE WHEN user_id > 3 THEN 1 ELSE 0 END) AS c "
        "FROM users GROUP BY country"
    )


def test_comments_are_dropped_from_the_sql_that_runs(check) -> None:
    report = check("SELECT country /*!50000 ; DROP TABLE users */ FROM users -- x")
    assert report.valid and "DROP" not in report.sql and "/*" not in report.sql


def test_sqlite_double_quoted_string_is_read_as_sqlite_does(check) -> None:
    report = check(
        'SELECT user_id FROM users WHERE country = "FR"', dialect="sqlite", default_limit=None
    )
    assert report.valid
    assert report.sql == "SELECT user_id FROM users WHERE country = 'FR'"


def test_explain_failure_is_a_problem(check) -> None:
    from tools.errors import QueryError

    def refuse(sql: str) -> None:
        raise QueryError("Binder Error: no such function", hint="engine says no")

    report = check("SELECT country FROM users", explain=refuse)
    assert report.codes == ["explain-failed"] and "Binder Error" in report.errors[0].message


def test_explain_sees_the_final_sql(check) -> None:
    seen: list[str] = []
    report = check("select country from users", explain=seen.append)
    assert report.valid and seen == [report.sql]


def test_explain_is_not_called_for_invalid_sql(check) -> None:
    seen: list[str] = []
    check("DROP TABLE users", explain=seen.append)
    assert seen == []


@pytest.mark.parametrize("sql", ["", "   \n\t ", ";", " ; ;"])
def test_empty_sql_is_an_input_error(check, sql: str) -> None:
    with pytest.raises(InputError, match="empty"):
        check(sql)


def test_oversized_sql_is_an_input_error(check) -> None:
    with pytest.raises(InputError, match="limit"):
        check("SELECT 1 AS x" + " " * 1_000_000)


def test_deep_nesting_is_an_input_error_not_a_crash(check) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        check("SELECT " + "(" * 3000 + "1" + ")" * 3000)


def test_long_flat_expression_still_validates(check) -> None:
    report = check("SELECT " + " + ".join(["user_id"] * 300) + " AS s FROM users")
    assert report.valid


def test_nul_character_is_an_input_error(check) -> None:
    with pytest.raises(InputError, match="NUL"):
        check("SELECT country FROM users\x00; DROP TABLE users")


def test_byte_order_mark_is_ignored(check) -> None:
    assert check("\ufeffSELECT country FROM users").valid


def test_unknown_dialect_is_an_input_error(check) -> None:
    with pytest.raises(InputError, match="Unknown SQL dialect 'postgresq'"):
        check("SELECT 1", read_dialect="postgresq")


def test_dialect_aliases(check) -> None:
    assert check("SELECT country FROM users", dialect="postgresql").dialect == "postgres"


def test_report_json_shape(check) -> None:
    data = check("SELECT countyr FROM users").to_dict()
    assert set(data) == {"valid", "sql", "dialect", "errors", "warnings"}
    assert set(data["errors"][0]) >= {"code", "message", "hint"}


@pytest.mark.parametrize(
    ("dialect", "sql", "code"),
    [
        ("spark", "SELECT TRANSFORM (country) USING 'cat' AS (b) FROM users", "not-read-only"),
        ("spark", "SELECT reflect('java.lang.Runtime', 'getRuntime')", "denied-function"),
        ("mysql", "SELECT country INTO @x FROM users", "not-read-only"),
        ("postgres", "SELECT query_to_xml('DELETE FROM users', true, true, '')", "denied-function"),
        (
            "postgres",
            "SELECT * FROM dblink('dbname=x', 'DELETE FROM users') AS t(a int)",
            "table-function",
        ),
        ("postgres", "SELECT pg_catalog.current_setting('data_directory')", "denied-function"),
        ("snowflake", "SELECT SYSTEM$WHITELIST()", "denied-function"),
        ("snowflake", "COPY INTO @stage FROM users", "not-read-only"),
        ("bigquery", "SELECT * FROM EXTERNAL_QUERY('c', 'SELECT 1')", "table-function"),
        ("trino", "SELECT * FROM system.runtime.queries", "unknown-table"),
        ("sqlite", "SELECT load_extension('evil')", "denied-function"),
    ],
)
def test_unsafe_tricks_in_other_dialects(check, dialect: str, sql: str, code: str) -> None:
    report = check(sql, read_dialect=dialect)
    assert not report.valid and code in report.codes, report.codes


@pytest.mark.parametrize(
    "group_by", ["ROLLUP (country)", "CUBE (country)", "GROUPING SETS ((country), ())"]
)
def test_grouping_constructs_group_their_columns(check, group_by: str) -> None:
    assert check(f"SELECT country, count(*) FROM users GROUP BY {group_by}").valid


def test_aggregate_filter_clause_is_part_of_the_aggregate(check) -> None:
    assert check(
        "SELECT country, count(*) FILTER (WHERE user_id > 3) FROM users GROUP BY country"
    ).valid


def test_rules_declare_what_they_change() -> None:
    # Checks change nothing; rewrites return a tree; derives fill one declared field.
    import dataclasses

    from tools.sql.context import RuleContext
    from tools.sql.rules import Check, Derive, Rewrite

    kinds = {r.name: type(r).__name__ for r in RULES}
    assert {n for n, k in kinds.items() if k == "Rewrite"} == {
        "sqlite_strings",
        "add_limit",
        "portable_percentiles",
    }
    produced = {r.name: r.produces for r in RULES if isinstance(r, Derive)}
    assert produced == {
        "catalog_tables": "normalized",
        "resolve_columns": "qualified",
        "transpile": "output_sql",
        "output_matches": "output_sql",
    }
    assert all(isinstance(r, (Check, Rewrite, Derive)) for r in RULES)
    assert RuleContext.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert {f.name for f in dataclasses.fields(RuleContext)} >= set(produced.values())


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        (
            "SELECT user_id FROM users WHERE " + " OR ".join(f"user_id = {i}" for i in range(3000)),
            "tokens",
        ),
        (
            "SELECT count(*) FROM " + ", ".join(f"users u{i}" for i in range(40)),
            "39 joins",
        ),
        (
            "WITH a AS (SELECT u.user_id FROM users u, users v), "
            + ", ".join(
                f"c{i} AS (SELECT x.user_id FROM {p} x, {p} y)"
                for i, p in enumerate(["a", "c0", "c1", "c2", "c3", "c4", "c5", "c6"])
            )
            + " SELECT count(*) FROM c7",
            "expanded",
        ),
    ],
)
def test_too_complex_is_refused_before_analysis(check, sql: str, what: str) -> None:
    report = check(sql)
    assert report.codes == ["too-complex"] and what in report.errors[0].message


@pytest.mark.parametrize(
    "condition",
    [
        "ds = ds",
        "(ds IS NULL) = false",
        "ds IN (ds)",
        "ds BETWEEN ds AND ds",
        "COALESCE(ds, ds) = ds",
        "ds <> DATE '2024-03-02'",
        "(ds = ds) = true",
    ],
)
def test_a_partition_filter_that_filters_nothing_does_not_count(check, condition: str) -> None:
    assert check(f"SELECT count(*) FROM events WHERE {condition}").codes == [
        "missing-partition-filter"
    ]


@pytest.mark.parametrize(
    "condition",
    [
        "ds >= DATE '2024-03-02'",
        "DATE '2024-03-02' <= ds",
        "ds IN (DATE '2024-03-02', DATE '2024-03-03')",
        "CAST(ds AS DATE) = DATE '2024-03-02'",
        "ds >= (SELECT min(signup_date) FROM users)",
    ],
)
def test_real_partition_filters_still_count(check, condition: str) -> None:
    report = check(f"SELECT count(*) AS n FROM events WHERE {condition}")
    assert report.valid, report.summary()


@pytest.mark.parametrize(
    ("sql", "name"),
    [
        ("SELECT format_type(23, NULL) AS t", "format_type"),
        ("SELECT get_block_size('w') AS b", "get_block_size"),
        ("SELECT json_serialize_plan('SELECT 1', optimize := true) AS p", "json_serialize_plan"),
        ("SELECT getvariable('x') AS v", "getvariable"),
        ("SELECT no_such_fn(country) AS v FROM users", "no_such_fn"),
    ],
)
def test_functions_off_the_allow_list_are_refused(check, sql: str, name: str) -> None:
    report = check(sql)
    assert report.codes == ["function-not-allowed"] and f"`{name}`" in report.errors[0].message


def test_the_allow_list_keeps_ordinary_analytics(check) -> None:
    report = check(
        "SELECT country, count(*) AS n, avg(user_id) AS a, coalesce(max(country), 'x') AS m, "
        "row_number() OVER (ORDER BY country) AS r, date_trunc('month', signup_date) AS d "
        "FROM users GROUP BY country, signup_date"
    )
    assert report.valid, report.summary()
