"""Question words no indexed doc uses: named when uncommon, matched with the index's stemming,
and carried by the search result into `--json`, `lablens search` and the assistant's answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.assistant.tools.docs import search_docs
from indexes.build import build_index
from indexes.unused_words import unused_words
from tests.docs.conftest import write
from tests.docs.word_vector_embedder import WordVectorEmbedder


@pytest.fixture
def state(tmp_path: Path) -> Path:
    write(
        tmp_path / "docs" / "metrics.md",
        "# Metric definitions\n\n## Caps\n\nEvery per-user value is winsorised at the 99th "
        "percentile before the t-test. The column `saves_per_user` sums saves per user.\n",
    )
    write(
        tmp_path / "docs" / "serving.md",
        "# Serving\n\n## Rollout\n\nThe ranker ships behind a flag and ramps over a week.\n"
        "Look-alike audiences are scored nightly.\n",
    )
    state = tmp_path / ".lablens"
    build_index([tmp_path / "docs"], state, embedder=WordVectorEmbedder(), root=tmp_path)
    return state


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "gdpr" and "kafka" are in no doc and are not everyday words: both named, in order.
        ("how does gdpr removal reach the kafka topics?", ["gdpr", "kafka"]),
        # "someone" and "phone" are in no doc either, but they are everyday English.
        ("can someone ramp the ranker from a phone?", []),
        # The index stems: "winsorise" matches the doc's "winsorised".
        ("why do we winsorise at the 99th percentile?", []),
        # Identifiers are phrases: the doc's column is found, a made-up one is not.
        ("what does saves_per_user sum?", []),
        ("what does hides_per_pin sum?", ["hides_per_pin"]),
        # Written as one word where the doc hyphenates it: the doc's two words, one after
        # the other, are that word; a word no two adjacent doc words spell is still named.
        ("how are lookalike audiences scored?", []),
        ("how are lookahead audiences scored?", ["lookahead"]),
    ],
)
def test_uncommon_words_no_doc_uses_are_named(
    state: Path, question: str, expected: list[str]
) -> None:
    assert unused_words(state, question) == expected


def test_no_index_means_no_caveat(tmp_path: Path) -> None:
    assert unused_words(tmp_path / "missing", "how does gdpr removal work?") == []


def test_the_result_carries_the_words_and_the_caveat(state: Path) -> None:
    result = search_docs(
        "how does gdpr removal reach the ranker?", state, k=3, embedder=WordVectorEmbedder()
    )
    assert result.hits  # the nearest passages still come back
    assert result.unused_words == ("gdpr",)
    assert result.to_dict()["unused_words"] == ["gdpr"]
    assert len(result.notes) == 1 and "“gdpr”" in result.notes[0]
    assert "may not answer it" in result.notes[0]
    # The model reads the caveat with the passages.
    assert result.notes[0] in result.to_text()
    covered = search_docs("how does the ranker ramp?", state, k=3, embedder=WordVectorEmbedder())
    assert covered.unused_words == () and covered.notes == ()
    assert json.loads(json.dumps(covered.to_dict()))["unused_words"] == []
