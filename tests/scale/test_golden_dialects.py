"""Portable SQL: golden files per dialect, each statement parsed back in its dialect and
validated against the catalog, and the known traps of moving SQL between engines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.nl2sql.evaluate import load_questions
from tests.scale.golden_dialects import (
    DIALECTS,
    GOLDEN_DIR,
    GoldenSources,
    experiment_entries,
    golden_sources,
    parse_golden,
    planner_entries,
    render,
)
from tests.scale.parity import DEMO_EXPERIMENTS, EVAL_QUESTIONS
from tools.catalog.load import load_catalog
from tools.catalog.model import Catalog
from tools.sql.validate import validate_sql

_ANCHOR, QUESTIONS = load_questions(EVAL_QUESTIONS)


pytestmark = pytest.mark.slow  # the whole file (listed first, so no worker ends on it)


@pytest.fixture(scope="module")
def catalog(small_demo_workspace: Path) -> Catalog:
    return load_catalog(small_demo_workspace / "catalog.yaml")


@pytest.fixture(scope="module")
def sources(small_demo_workspace: Path) -> GoldenSources:
    # The planner's context and the experiments' metadata are read once for all dialects.
    return golden_sources(small_demo_workspace, QUESTIONS, DEMO_EXPERIMENTS)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden_file_is_what_the_validator_writes(dialect: str, sources: GoldenSources) -> None:
    entries = planner_entries(sources, dialect) + experiment_entries(sources, dialect)
    text = render(entries, dialect)
    path = GOLDEN_DIR / f"{dialect}.sql"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
    # Every question the planner answers on DuckDB is expressible in every dialect; what an
    # experiment analysis cannot express is refused by name (`transpile-unsupported`).
    refused = [e for e in entries if not e.sql and not e.codes[0].startswith("unplanned")]
    assert all(e.title.startswith("experiment ") for e in refused), refused
    assert all(e.codes[0].startswith("transpile-unsupported: ") for e in refused), refused
    if dialect in ("spark", "postgres", "snowflake"):
        assert refused == []
    else:  # the capped analysis is refused by name, and its --no-cap form is there instead
        assert len(refused) == len(DEMO_EXPERIMENTS)
        assert all("exact percentile" in e.codes[0] for e in refused)
        no_cap = [e for e in entries if "(--no-cap)" in e.title]
        assert len(no_cap) >= len(DEMO_EXPERIMENTS) and all(e.sql for e in no_cap)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden_sql_parses_back_and_validates_in_its_dialect(
    dialect: str, catalog: Catalog
) -> None:
    entries = parse_golden((GOLDEN_DIR / f"{dialect}.sql").read_text(encoding="utf-8"))
    assert len(entries) >= len(QUESTIONS)
    for title, sql in entries:
        if not sql:
            continue
        report = validate_sql(sql, catalog, dialect=dialect, default_limit=None)
        assert report.valid, (title, report.summary())


def _for(dialect: str, sql: str, catalog: Catalog) -> tuple[str, list[str]]:
    report = validate_sql(sql, catalog, dialect=dialect, read_dialect="duckdb", default_limit=None)
    # Where lablens has no reviewed function list (Snowflake, BigQuery, Trino) it says so.
    codes = [p.code for p in (*report.errors, *report.warnings)]
    return report.sql, [c for c in codes if c != "no-function-list"]


MEDIAN = "SELECT MEDIAN(time_spent_s) AS m FROM engagement_daily WHERE dt = DATE '2026-10-31'"


def test_median_on_trino_is_approx_percentile_and_says_so(catalog: Catalog) -> None:
    sql, codes = _for("trino", MEDIAN, catalog)
    assert "APPROX_PERCENTILE(time_spent_s, 0.5)" in sql and "PERCENTILE_CONT" not in sql
    assert "approximate-percentile" in codes


def test_median_on_bigquery_is_approx_quantiles_and_says_so(catalog: Catalog) -> None:
    sql, codes = _for("bigquery", MEDIAN, catalog)
    assert "APPROX_QUANTILES(time_spent_s, 100)[OFFSET(50)]" in sql and "MEDIAN" not in sql
    assert "approximate-percentile" in codes


def test_a_quantile_bigquery_cannot_bucket_is_transpile_unsupported(catalog: Catalog) -> None:
    _sql, codes = _for("bigquery", "SELECT QUANTILE_CONT(quality_score, 0.955) FROM pins", catalog)
    assert codes[0] == "transpile-unsupported"


@pytest.mark.parametrize("dialect", ["postgres", "snowflake", "spark"])
def test_exact_percentiles_stay_exact_where_the_engine_has_them(
    dialect: str, catalog: Catalog
) -> None:
    sql, codes = _for(dialect, "SELECT QUANTILE_CONT(quality_score, 0.9) FROM pins", catalog)
    assert "APPROX" not in sql.upper() and "approximate-percentile" not in codes
    if dialect == "spark":  # Spark refuses the two-argument PERCENTILE_CONT
        assert "PERCENTILE(quality_score, 0.9)" in sql


@pytest.mark.parametrize(
    ("dialect", "cast"), [("trino", "DOUBLE"), ("postgres", "DOUBLE PRECISION")]
)
def test_integer_division_keeps_duckdb_meaning(dialect: str, cast: str, catalog: Catalog) -> None:
    # DuckDB's `/` divides as reals; on Trino and PostgreSQL integers would truncate.
    sql, _ = _for(
        dialect,
        "SELECT saves / impressions AS r FROM engagement_daily WHERE dt = DATE '2026-10-31'",
        catalog,
    )
    assert f"CAST(saves AS {cast}) / impressions" in sql


INTERVAL_FORMS = {
    "trino": "INTERVAL '7' DAY",
    "bigquery": "INTERVAL '7' DAY",
    "spark": "INTERVAL '7' DAY",
    "snowflake": "INTERVAL '7 DAY'",
    "postgres": "INTERVAL '7 DAY'",
}
DATE_DIFF_FORMS = {
    "trino": "DATE_DIFF('DAY', DATE_TRUNC('DAY', created_date), DATE_TRUNC('DAY', CAST(",
    "bigquery": "DATE_DIFF(CAST('2026-10-31' AS DATE), created_date, DAY)",
    "spark": "DATEDIFF(DAY, created_date, CAST('2026-10-31' AS DATE))",
    "snowflake": "DATEDIFF(DAY, created_date, CAST('2026-10-31' AS DATE))",
    "postgres": "(CAST('2026-10-31' AS DATE) - CAST(created_date AS DATE))",
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dates_and_booleans_are_written_for_the_dialect(dialect: str, catalog: Catalog) -> None:
    sql, codes = _for(
        dialect,
        "SELECT DATE_DIFF('day', created_date, DATE '2026-10-31') AS age FROM pins "
        "WHERE is_video = false AND created_date >= DATE '2026-10-01' - INTERVAL 7 DAY",
        catalog,
    )
    assert codes == []
    assert INTERVAL_FORMS[dialect] in sql and DATE_DIFF_FORMS[dialect] in sql
    assert "is_video = FALSE" in sql
    assert validate_sql(sql, catalog, dialect=dialect, default_limit=None).valid


@pytest.mark.parametrize("dialect", ["trino", "spark", "postgres"])
def test_qualify_is_rewritten_where_the_engine_lacks_it(dialect: str, catalog: Catalog) -> None:
    sql, codes = _for(
        dialect,
        "SELECT user_id FROM engagement_daily WHERE dt = DATE '2026-10-31' "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY saves DESC) = 1",
        catalog,
    )
    assert codes == [] and "QUALIFY" not in sql.upper() and "ROW_NUMBER()" in sql


def test_the_cli_writes_trinos_median_as_a_new_user_would_try_it(
    small_demo_workspace: Path,
) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    question = "median time spent yesterday"
    flags = ["--dialect", "trino", "--json", "-w", str(small_demo_workspace)]
    out = subprocess.run(
        [sys.executable, "-m", "agent", "sql", question, *flags],
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout)
    assert "APPROX_PERCENTILE(time_spent_s, 0.5)" in answer["sql"]
    assert "PERCENTILE_CONT" not in answer["sql"] and answer["dialect"] == "trino"
