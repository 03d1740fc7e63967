"""Dates that mean what they say: front-matter dates normalised at index time, non-dates
reported and never compared as text, and --since/--until limited to real dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli import main
from indexes.build import build_index
from indexes.doc_dates import normalize_doc_date, parse_date_bound
from indexes.embedders import EmbedderSpec
from indexes.search import SearchFilters, search_index
from tests.docs.conftest import write
from tools.errors import InputError


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2026-10-01", "2026-10-01"),
        ("2026-1-5", "2026-01-05"),
        ("2026/10/01", "2026-10-01"),
        ("25/10/2026", "2026-10-25"),
        ("10/25/2026", "2026-10-25"),
        ("1 October 2026", "2026-10-01"),
        ("Oct 3, 2026", "2026-10-03"),
        ("2026-10-01T08:30:00Z", "2026-10-01"),
    ],
)
def test_common_date_forms_become_iso(value: str, iso: str) -> None:
    assert normalize_doc_date(value).iso == iso


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("10/01/2025", "ambiguous"),
        ("2026-02-30", "not a real date"),
        ("not a date", "not a date"),
        ("20260101", "not a date"),
    ],
)
def test_ambiguous_and_impossible_dates_are_reported_not_stored(value: str, problem: str) -> None:
    parsed = normalize_doc_date(value)
    assert parsed.iso is None and problem in (parsed.problem or "")


@pytest.mark.parametrize(
    ("text", "end", "iso"),
    [
        ("2026-10-05", False, "2026-10-05"),
        ("2026-10", False, "2026-10-01"),
        ("2026-02", True, "2026-02-28"),
        ("2026", True, "2026-12-31"),
    ],
)
def test_filter_bounds_accept_days_months_and_years(text: str, end: bool, iso: str) -> None:
    assert parse_date_bound(text, flag="--since", end=end) == iso


@pytest.mark.parametrize("text", ["20260101", "2026-W01", "2026-13", "last week", "2026-02-30"])
def test_filter_bounds_refuse_anything_else(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_date_bound(text, flag="--since", end=False)
    assert "YYYY-MM-DD" in (err.value.hint or "")


@pytest.fixture()
def dated(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for name, date in [
        ("iso", "2026-10-05"),
        ("us", "10/01/2025"),  # ambiguous: excluded from date filters
        ("short", "2026-1-5"),  # normalised to 2026-01-05
        ("junk", "not a date"),
        ("typo", "2026-02-30"),
    ]:
        write(root / "docs" / f"{name}.md", f"---\ndate: {date}\n---\n# {name}\n\nranker notes\n")
    return root


def test_date_filters_use_normalised_dates_only(dated: Path, loopback_spec: EmbedderSpec) -> None:
    s = build_index([dated / "docs"], dated / ".lablens", embedder=loopback_spec, root=dated)
    assert {w.path for w in s.warnings} == {"docs/us.md", "docs/junk.md", "docs/typo.md"}

    def paths(since: str | None, until: str | None) -> set[str]:
        f = SearchFilters(since=since, until=until)
        hits = search_index(
            "ranker notes", dated / ".lablens", k=10, filters=f, embedder=loopback_spec
        )
        return {h.path for h in hits}

    assert paths("2026-01-01", None) == {"docs/iso.md", "docs/short.md"}
    assert paths(None, "2026-06-30") == {"docs/short.md"}
    assert paths("2000-01-01", "2099-12-31") == {"docs/iso.md", "docs/short.md"}
    assert len(paths(None, None)) == 5  # no filter: every document


def test_search_cli_refuses_a_date_it_cannot_read(
    dated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (dated / "lablens.toml").write_text('[docs]\npaths = ["docs"]\n')
    assert main(["search", "x", "--since", "2026-W01", "--workspace", str(dated)]) == 2
    err = capsys.readouterr().err
    assert "is not a date" in err and "YYYY-MM" in err
