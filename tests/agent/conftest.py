"""Fixtures for the agent: a small demo workspace with a real doc index (fast test embedder)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.word_vector_embedder import WordVectorEmbedder


@pytest.fixture(scope="session")
def embedder() -> WordVectorEmbedder:
    return WordVectorEmbedder()


@pytest.fixture(scope="session")
def indexed_workspace(
    tmp_path_factory: pytest.TempPathFactory, embedder: WordVectorEmbedder
) -> Path:
    """The small demo (all tables, docs and reports) with its docs indexed; read-only."""
    from agent.demo.build import build_demo_workspace
    from agent.workspace import Workspace
    from indexes.build import build_index

    root = tmp_path_factory.mktemp("agent") / "pinlab"
    build_demo_workspace(root, scale=0.05, seed=7, index=False)
    ws = Workspace.open(root)
    build_index(ws.doc_paths, ws.state_dir, embedder=embedder, root=root)
    return root


@pytest.fixture()
def workspace(indexed_workspace: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy, for tests that write history or logs into `.lablens/`."""
    copy = tmp_path / "ws"
    shutil.copytree(indexed_workspace, copy)
    yield copy
