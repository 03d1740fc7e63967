"""Fixtures for the doc-index tests: a loopback embedding endpoint and small corpora."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexes.embedders import EmbedderSpec
from tests.docs.embedding_server import EmbeddingServer

DEMO_DIR = Path(__file__).resolve().parents[2] / "agent" / "demo"


@pytest.fixture()
def embedding_server() -> Iterator[EmbeddingServer]:
    with EmbeddingServer() as server:
        yield server


@pytest.fixture()
def loopback_spec(embedding_server: EmbeddingServer) -> EmbedderSpec:
    return EmbedderSpec(
        provider="openai",
        model="hashed-64",
        base_url=embedding_server.base_url,
        api_key="test",
        batch_size=16,
    )


@pytest.fixture(scope="session")
def bundled_embedder():  # type: ignore[no-untyped-def]
    """The real bundled MiniLM on sentence-transformers (torch), loaded once per session (its
    import alone takes seconds): the reference the other runtimes are compared with."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from indexes.embedders import make_embedder

    return make_embedder(EmbedderSpec(runtime="torch"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    return make_small_corpus(tmp_path / "ws")


def make_small_corpus(root: Path) -> Path:
    """Three Markdown docs with front matter and one text file, under docs/ and reports/."""
    write(
        root / "docs" / "ranker.md",
        """---
title: Homefeed ranker
team: ranking
doc_type: design_doc
date: 2026-08-01
---
# Homefeed ranker

## Candidates

The ranker scores candidate pins from the two-tower retrieval stage.

## Negatives

In-batch negatives with logQ correction and uniform random negatives.
""",
    )
    write(
        root / "docs" / "notifications.md",
        """---
title: Notification sends
team: growth
doc_type: design_doc
date: 2026-09-15
---
# Notification sends

## Quiet hours

Notifications are never sent between 22:00 and 07:00 local time.
""",
    )
    write(
        root / "reports" / "srm.md",
        """---
title: Notification experiment readout
team: growth
doc_type: experiment_report
date: 2026-10-20
---
# Notification experiment readout

## Verdict

Invalid: sample ratio mismatch, the split was configured 50/50 and delivered 53/47.
""",
    )
    write(root / "docs" / "notes.txt", "Plain text notes about the feature store backfill.\n")
    return root
