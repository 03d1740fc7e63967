"""The demo warehouse honours the data contract, plants its effects, and is deterministic."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from agent.demo.generate import write_warehouse
from agent.demo.tables import SCHEMA

CONTRACT_VALUES = {
    ("users", "country"): {"US", "GB", "DE", "FR", "BR", "JP", "IN", "CA", "MX", "AU"},
    ("users", "platform"): {"ios", "android", "web"},
    ("users", "age_bucket"): {"18-24", "25-34", "35-44", "45-54", "55+"},
    ("pins", "category"): {
        "home_decor",
        "recipes",
        "fashion",
        "travel",
        "diy",
        "beauty",
        "art",
        "fitness",
        "weddings",
        "tech",
    },
    ("engagement_daily", "surface"): {"homefeed", "search", "related_pins", "notifications"},
}


pytestmark = pytest.mark.slow  # the whole file (listed first, so no worker ends on it)


@pytest.fixture(scope="module")
def con(demo_workspace: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo_workspace / "warehouse.duckdb"), read_only=True)


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_contract_tables_and_column_types(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in SCHEMA.items():
        got = rows(
            con,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            table,
        )
        assert got == columns, table


@pytest.mark.parametrize(("table", "column"), sorted(CONTRACT_VALUES))
def test_contract_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    got = {r[0] for r in rows(con, f"SELECT DISTINCT {column} FROM {table}")}
    assert got == CONTRACT_VALUES[(table, column)]


def test_data_covers_september_and_october(con: duckdb.DuckDBPyConnection) -> None:
    lo, hi = rows(con, "SELECT MIN(dt), MAX(dt) FROM engagement_daily")[0]
    assert (str(lo), str(hi)) == ("2026-09-01", "2026-10-31")


def test_five_planted_experiments(con: duckdb.DuckDBPyConnection) -> None:
    ids = [r[0] for r in rows(con, "SELECT experiment_id FROM experiments ORDER BY 1")]
    assert ids == [
        "hf_l1_ranker_v2",
        "notif_seq_model",
        "rp_candidate_gen_v3",
        "search_bert_relevance",
        "video_boost_3arm",
    ]
    arms = rows(
        con,
        "SELECT DISTINCT variant FROM experiment_assignments "
        "WHERE experiment_id = 'video_boost_3arm' ORDER BY 1",
    )
    assert [a[0] for a in arms] == ["boost_high", "boost_low", "control"]


def test_realistic_shape(con: duckdb.DuckDBPyConnection) -> None:
    creators = rows(con, "SELECT AVG(is_creator::INT) FROM users")[0][0]
    assert 0.02 < creators < 0.12  # creators are rarer than viewers
    # Heavy tail: the top 1% of users hold a large share of saves.
    top_share = rows(
        con,
        """
        WITH u AS (SELECT user_id, SUM(saves) s FROM engagement_daily GROUP BY 1)
        SELECT SUM(s) FILTER (WHERE s >= (SELECT quantile_cont(s, 0.99) FROM u)) / SUM(s)
        FROM u""",
    )[0][0]
    assert top_share > 0.05
    # Weekly seasonality: weekends are busier than weekdays.
    weekend, weekday = rows(
        con,
        """
        SELECT AVG(n) FILTER (WHERE dow IN (0, 6)), AVG(n) FILTER (WHERE dow NOT IN (0, 6))
        FROM (SELECT dt, dayofweek(dt) dow, COUNT(*) n FROM engagement_daily GROUP BY 1, 2)""",
    )[0]
    assert weekend > 1.1 * weekday
    us_share = rows(con, "SELECT AVG((country = 'US')::INT) FROM users")[0][0]
    assert 0.28 < us_share < 0.40


ARM_RATES = """
SELECT a.variant, SUM(e.saves) / SUM(e.impressions), SUM(e.clicks) / SUM(e.impressions),
       SUM(e.hides) / SUM(e.impressions), SUM(e.time_spent_s) / SUM(e.impressions)
FROM experiment_assignments a JOIN experiments x USING (experiment_id)
JOIN engagement_daily e ON e.user_id = a.user_id AND e.surface = x.surface
 AND e.dt BETWEEN a.assigned_date AND x.end_date
WHERE a.experiment_id = ? GROUP BY 1"""


def lift(con: duckdb.DuckDBPyConnection, exp: str, arm: str, rate: int) -> float:
    by_arm = {r[0]: r[1:] for r in rows(con, ARM_RATES, exp)}
    return float(by_arm[arm][rate] / by_arm["control"][rate] - 1)


SAVE, CLICK, HIDE, TIME = 0, 1, 2, 3


def test_ranker_lifts_save_rate_not_hides(con: duckdb.DuckDBPyConnection) -> None:
    assert 0.005 < lift(con, "hf_l1_ranker_v2", "treatment", SAVE) < 0.04
    assert abs(lift(con, "hf_l1_ranker_v2", "treatment", HIDE)) < 0.03


def test_search_model_lifts_clicks_and_hides(con: duckdb.DuckDBPyConnection) -> None:
    assert 0.02 < lift(con, "search_bert_relevance", "treatment", CLICK) < 0.07
    assert 0.05 < lift(con, "search_bert_relevance", "treatment", HIDE) < 0.16


def test_notification_split_is_mismatched(con: duckdb.DuckDBPyConnection) -> None:
    share = rows(
        con,
        "SELECT AVG((variant = 'control')::INT) FROM experiment_assignments "
        "WHERE experiment_id = 'notif_seq_model'",
    )[0][0]
    assert 0.52 < share < 0.54


def test_related_pins_has_no_effect(con: duckdb.DuckDBPyConnection) -> None:
    for rate in (SAVE, CLICK):
        assert abs(lift(con, "rp_candidate_gen_v3", "treatment", rate)) < 0.015


def test_video_boost_high_trades_saves_for_time(con: duckdb.DuckDBPyConnection) -> None:
    assert 0.03 < lift(con, "video_boost_3arm", "boost_high", TIME) < 0.07
    assert -0.05 < lift(con, "video_boost_3arm", "boost_high", SAVE) < -0.01
    assert abs(lift(con, "video_boost_3arm", "boost_low", TIME)) < 0.015


def checksum(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            con.execute(f"SELECT '{t}', COUNT(*), SUM(hash(COLUMNS(*))) FROM {t}").fetchall()[0]
            for t in SCHEMA
        ]
    finally:
        con.close()


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    write_warehouse(a, scale=0.02, seed=3)
    write_warehouse(b, scale=0.02, seed=3)
    write_warehouse(c, scale=0.02, seed=4)
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum(c)


def test_scale_grows_rows_about_linearly(tmp_path: Path) -> None:
    small = write_warehouse(tmp_path / "s.duckdb", scale=0.02, seed=1)["engagement_daily"]
    large = write_warehouse(tmp_path / "l.duckdb", scale=0.08, seed=1)["engagement_daily"]
    assert 3.0 < large / small < 5.0
