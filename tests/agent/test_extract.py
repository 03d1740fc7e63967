"""Offline doc answers quote prose only: never a line of code, wherever a chunk was cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.assistant.extract import best_sentences, sentences_of
from indexes.search import Hit

DEMO_DOC = Path(__file__).resolve().parents[2] / "agent" / "demo" / "docs"


def _hit(text: str, start_line: int = 1, path: str = "docs/x.md") -> Hit:
    return Hit(
        path=path,
        title="T",
        heading="H",
        start_line=start_line,
        end_line=start_line + len(text.splitlines()) - 1,
        doc_type=None,
        team=None,
        date=None,
        score=1.0,
        snippet="",
        chunk_id="c",
        dense_rank=1,
        lexical_rank=1,
        text=text,
    )


def _chunk_of(name: str, first: int, last: int) -> Hit:
    lines = (DEMO_DOC / name).read_text().splitlines()[first - 1 : last]
    return _hit("\n".join(lines), first, f"docs/{name}")


def test_a_chunk_that_starts_inside_a_code_block_quotes_only_its_prose() -> None:
    # Lines 108-115 of the runbook: the end of a SQL block, its fence, then a paragraph.
    hit = _chunk_of("oncall-ranking-serving.md", 108, 115)
    assert hit.text.lstrip().startswith("AND e.dt BETWEEN")  # the cut this test is about
    found = sentences_of(hit)
    assert [s for s, _, _ in found] == [
        "After any incident longer than 30 minutes that touched an experiment arm, file an "
        "experiment-incident note with start and end time, affected arm, and fallback rates, "
        "and link it in the experiment's readout."
    ]
    assert found[0][1:] == (113, 115)
    best = best_sentences("incident experiment arm", [hit], ["incident", "experiment", "arm"])
    assert [s.source.start_line for s in best] == [113]


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        pytest.param(
            "Check the arms after an incident, as below.\n\n```sql\n"
            "SELECT a.variant, COUNT(*) AS n\nFROM experiment_assignments AS a\n",
            "Check the arms after an incident, as below.",
            id="ends-inside-a-code-block",
        ),
        pytest.param(
            "The cap is the 99th percentile (pooled over both arms) of the per-unit value.\n\n"
            "SELECT variant, SUM(saves) FROM engagement_daily GROUP BY variant;\n\n"
            "    WHERE dt >= DATE '2026-10-01' AND surface = 'homefeed'\n",
            "The cap is the 99th percentile (pooled over both arms) of the per-unit value.",
            id="unfenced-sql-dropped-brackets-kept",
        ),
        pytest.param(
            "Every experiment has a row in the experiments table before traffic starts, with:\n\n"
            "| field | meaning |\n|---|---|\n| `start_date` | the first day |\n\n"
            "Arms are named exactly as in the assignment table.\n",
            "Arms are named exactly as in the assignment table.",
            id="sentence-that-only-introduces-a-table",
        ),
    ],
)
def test_only_prose_is_quoted(text: str, prose: str) -> None:
    assert [s for s, _, _ in sentences_of(_hit(text))] == [prose]
