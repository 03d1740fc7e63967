"""Round-2 red team (issue 16): every entry of `redteam_round2.yaml` is rejected or bounded,
on real DuckDB and real PostgreSQL; nothing crashes, the warehouse stays byte-identical."""

from __future__ import annotations

import pytest

from tests.sql.postgres_server import Unavailable, running_postgres
from tests.sql.redteam import POSTGRES_SETUP, Tally, load_entries, run_duckdb, run_postgres
from tools.sql.dialects import SUPPORTED

ENTRIES = load_entries()
pytestmark = pytest.mark.server


def test_corpus_is_large_named_uniquely_and_covers_every_dialect() -> None:
    assert len(ENTRIES) >= 150
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)
    assert set(SUPPORTED) <= {e.dialect for e in ENTRIES}
    assert {e.expect for e in ENTRIES} == {"rejected", "bounded"}
    assert {"parser-differential", "function", "bounds", "partition-filter"} <= {
        e.klass for e in ENTRIES
    }


def _assert_clean(tally: Tally) -> None:
    bad = {n: tally.details[n] for n, o in tally.outcomes.items() if o in ("harmful", "crash")}
    assert bad == {}
    for entry in ENTRIES:
        if entry.expect == "rejected":
            assert tally.outcomes[entry.name] == "rejected", (entry.name, tally.details[entry.name])


def test_on_duckdb_nothing_harmful_nothing_crashes_file_unchanged() -> None:
    tally, unchanged = run_duckdb(ENTRIES)
    _assert_clean(tally)
    assert unchanged


def test_on_postgres_nothing_harmful_nothing_crashes_data_unchanged() -> None:
    try:
        with running_postgres(POSTGRES_SETUP) as url:
            tally, unchanged = run_postgres(ENTRIES, url)
    except Unavailable as exc:
        pytest.skip(str(exc))
    _assert_clean(tally)
    assert unchanged
