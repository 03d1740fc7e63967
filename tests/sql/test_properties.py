"""Property-based: random valid SELECTs over the shop catalog validate (and run); random
mutations fail with the code that names the mutation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sql.conftest import CATALOG_YAML, build_warehouse
from tools.catalog.load import parse_catalog
from tools.sql.validate import validate_sql
from tools.warehouse.connection import DuckDBWarehouse, WarehouseConfig, open_warehouse

CATALOG = parse_catalog(CATALOG_YAML)
LITERALS = {"DATE": "DATE '2024-03-04'", "VARCHAR": "'FR'", "BIGINT": "3", "INTEGER": "2"}
OPERATORS = ("=", "<>", ">", ">=", "<", "<=")


@dataclass(frozen=True)
class Query:
    table: str
    alias: str | None
    columns: tuple[str, ...]
    filters: tuple[tuple[str, str], ...]  # (column, operator)
    aggregate: bool
    order: bool
    limit: int | None
    from_name: str | None = None  # a different name in FROM (mutation)

    def render(self) -> str:
        table = CATALOG.table(self.table)
        assert table is not None
        ref = (lambda c: f"{self.alias}.{c}") if self.alias else (lambda c: c)
        select = [ref(c) for c in self.columns]
        if self.aggregate:
            select.append("count(*) AS n")
        sql = f"SELECT {', '.join(select)} FROM {self.from_name or self.table}"
        if self.alias:
            sql += f" AS {self.alias}"
        where = []
        for column, op in self.filters:
            col = table.column(column)
            kind = col.type if col is not None else "INTEGER"
            where.append(f"{ref(column)} {op} {LITERALS.get(kind, '1')}")
        if where:
            sql += " WHERE " + " AND ".join(where)
        if self.aggregate:
            sql += " GROUP BY " + ", ".join(ref(c) for c in self.columns)
        if self.order:
            sql += f" ORDER BY {ref(self.columns[0])}"
        if self.limit is not None:
            sql += f" LIMIT {self.limit}"
        return sql


@st.composite
def queries(draw: st.DrawFn) -> Query:
    table = CATALOG.tables[draw(st.integers(0, len(CATALOG.tables) - 1))]
    names = [c.name for c in table.columns]
    columns = tuple(draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)))
    filters = list(
        draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(OPERATORS)), max_size=2))
    )
    if table.require_partition_filter and table.partition_column:
        filters.append((table.partition_column, draw(st.sampled_from((">=", "=", "<")))))
    return Query(
        table=table.name,
        alias=draw(st.sampled_from((None, "t"))),
        columns=columns,
        filters=tuple(filters),
        aggregate=draw(st.booleans()),
        order=draw(st.booleans()),
        limit=draw(st.one_of(st.none(), st.integers(1, 50))),
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBWarehouse]:
    path = build_warehouse(tmp_path_factory.mktemp("props") / "w.duckdb")
    with open_warehouse(WarehouseConfig(path=path, row_cap=100), Path(path).parent) as w:
        assert isinstance(w, DuckDBWarehouse)
        yield w


FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FAST
@given(queries())
def test_random_valid_selects_validate_and_run(warehouse: DuckDBWarehouse, query: Query) -> None:
    report = validate_sql(query.render(), CATALOG, dialect="duckdb", explain=warehouse.explain)
    assert report.valid, f"{query.render()}\n{report.summary()}"
    result = warehouse.execute(report.sql)
    assert result.columns and result.row_count <= (query.limit or 1000)


@FAST
@given(queries(), st.data())
def test_unknown_column_is_named(query: Query, data: st.DataObject) -> None:
    bogus = "zz_" + data.draw(st.text("abcdefgh", min_size=1, max_size=6))
    index = data.draw(st.integers(0, len(query.columns) - 1))
    columns = (*query.columns[:index], bogus, *query.columns[index + 1 :])
    report = validate_sql(replace(query, columns=columns).render(), CATALOG, dialect="duckdb")
    assert "unknown-column" in report.codes
    assert any(bogus in p.message for p in report.errors)


@FAST
@given(queries(), st.text("abcdefgh", min_size=1, max_size=6))
def test_unknown_table_is_named(query: Query, suffix: str) -> None:
    report = validate_sql(
        replace(query, from_name=query.table + "_" + suffix).render(), CATALOG, dialect="duckdb"
    )
    assert report.codes == ["unknown-table"]


@FAST
@given(queries().filter(lambda q: q.table == "events"))
def test_dropping_the_partition_filter_is_caught(query: Query) -> None:
    filters = tuple(f for f in query.filters if f[0] != "ds")
    report = validate_sql(replace(query, filters=filters).render(), CATALOG, dialect="duckdb")
    assert report.codes == ["missing-partition-filter"]


MUTATIONS = {
    "multiple-statements": lambda sql: f"{sql}; DROP TABLE users",
    "not-read-only": lambda sql: f"WITH gone AS (DELETE FROM users RETURNING *) {sql}",
    "denied-function": lambda sql: sql.replace("SELECT ", "SELECT getenv('HOME') AS h, ", 1),
    "table-function": lambda sql: sql.replace(" FROM ", " FROM read_csv('/etc/passwd') AS f, ", 1),
}


@FAST
@given(queries(), st.sampled_from(sorted(MUTATIONS)))
def test_unsafe_mutations_fail_with_their_code(query: Query, code: str) -> None:
    report = validate_sql(MUTATIONS[code](query.render()), CATALOG, dialect="duckdb")
    assert not report.valid and code in report.codes
