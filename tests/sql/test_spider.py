"""Spider dev set: every gold query validates; every query naming a missing table/column fails.

Catalogs come from Spider's tables.json (one per database); SQLite dialect in and out.
"""

from __future__ import annotations

import random

import pytest
import sqlglot
from sqlglot import exp

from tests.sql.spider_data import available, gold_queries, spider_catalogs
from tools.sql.validate import validate_sql

pytestmark = pytest.mark.skipif(not available(), reason="Spider data not present")

MUTATION_SUFFIX = "_zq"


def test_dev_set_is_complete() -> None:
    assert len(gold_queries()) == 1034
    assert {db for _, _, db in gold_queries()} <= set(spider_catalogs())


@pytest.mark.parametrize(
    "default_limit", [None, pytest.param(1000, marks=pytest.mark.slow, id="with-limit")]
)
def test_every_gold_query_validates(default_limit: int | None) -> None:
    catalogs = spider_catalogs()
    rejected = []
    for line, sql, db in gold_queries():
        report = validate_sql(sql, catalogs[db], dialect="sqlite", default_limit=default_limit)
        if not report.valid:
            rejected.append(f"line {line} ({db}): {sql}\n    {report.summary()}")
    assert rejected == [], f"{len(rejected)} false rejections:\n" + "\n".join(rejected)


# Genuine differences of the target engines (they refuse a bare column next to an aggregate).
ENGINE_REFUSALS = {"ungrouped-column"}


@pytest.mark.slow
@pytest.mark.parametrize("warehouse", ["duckdb", "postgres"])
def test_cross_dialect_re_check_refuses_no_gold_query(warehouse: str) -> None:
    # SQLite in, another warehouse out: the re-parse of the final text, the function
    # allow-list and the re-run of the chain add no false rejection.
    catalogs = spider_catalogs()
    rejected = []
    for line, sql, db in gold_queries():
        report = validate_sql(
            sql, catalogs[db], dialect=warehouse, read_dialect="sqlite", default_limit=None
        )
        extra = set(report.codes) - ENGINE_REFUSALS
        if extra:
            rejected.append(f"line {line} ({db}): {sql}\n    {report.summary()}")
    assert rejected == [], f"{len(rejected)} false rejections:\n" + "\n".join(rejected)


def test_every_mutated_query_is_rejected() -> None:
    """Per gold query, one random column reference and one random table renamed."""
    catalogs = spider_catalogs()
    rng = random.Random(20240301)
    accepted, wrong_code, totals = [], [], {"column": 0, "table": 0}
    for line, sql, db in gold_queries():
        parsed = sqlglot.parse_one(sql, read="sqlite")
        for kind, code in (("column", "unknown-column"), ("table", "unknown-table")):
            tree = parsed.copy()
            nodes = _names(tree, kind)
            if not nodes:
                continue
            node = rng.choice(nodes)
            node.this.replace(exp.to_identifier(node.name + MUTATION_SUFFIX))
            mutated = tree.sql(dialect="sqlite")
            totals[kind] += 1
            report = validate_sql(mutated, catalogs[db], dialect="sqlite", default_limit=None)
            if report.valid:
                accepted.append(f"line {line}: {mutated}")
            elif code not in report.codes:
                wrong_code.append(f"line {line}: {mutated} -> {report.codes}")
    assert totals["column"] > 900 and totals["table"] == 1034
    assert accepted == [], f"{len(accepted)} mutations accepted:\n" + "\n".join(accepted)
    assert wrong_code == [], "\n".join(wrong_code)


def test_a_mutated_column_gets_did_you_mean() -> None:
    catalog = spider_catalogs()["concert_singer"]
    report = validate_sql("SELECT name, countryy FROM singer", catalog, dialect="sqlite")
    assert report.errors[0].hint == "Did you mean `country`?"


@pytest.mark.slow
def test_every_name_position_mutated_is_rejected() -> None:
    """Exhaustive: each unquoted column reference and each table, one at a time (~5,300)."""
    catalogs = spider_catalogs()
    accepted, total = [], 0
    for line, sql, db in gold_queries():
        base = sqlglot.parse_one(sql, read="sqlite")
        for kind in ("column", "table"):
            count = len(_names(base, kind))
            for index in range(count):
                tree = base.copy()
                node = _names(tree, kind)[index]
                node.this.replace(exp.to_identifier(node.name + MUTATION_SUFFIX))
                mutated = tree.sql(dialect="sqlite")
                total += 1
                report = validate_sql(mutated, catalogs[db], dialect="sqlite", default_limit=None)
                if report.valid:
                    accepted.append(f"line {line}: {mutated}")
    assert total > 5000
    assert accepted == [], f"{len(accepted)}/{total} accepted:\n" + "\n".join(accepted)


def _names(tree: exp.Expr, kind: str) -> list[exp.Expr]:
    if kind == "column":
        # Double-quoted words may be SQLite string literals, so renaming them proves nothing.
        return [c for c in tree.find_all(exp.Column) if not c.this.quoted]
    return list(tree.find_all(exp.Table))
