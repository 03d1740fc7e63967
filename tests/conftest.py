"""Shared fixtures: an isolated environment for every test and one demo workspace per run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexes.onnx_export import cache_root

# No test may reach a hub or leak a developer's settings into lablens.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"


# The ONNX copy of the bundled model is derived from the installed weights (keyed by their
# fingerprint): tests share the developer's cache instead of exporting it in every test's HOME.
_MODEL_CACHE = str(cache_root())


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in list(os.environ):
        if var.startswith("LABLENS_") or var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LABLENS_CACHE_DIR", _MODEL_CACHE)


DEMO_SCALE = 1.0  # full default size: experiment verdicts need the real sample sizes
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full-scale demo workspace (80 k users; ≈ 11 s to build), once per run; read-only.

    Only for tests that need the experiments' real sample sizes (verdicts, power): a test that
    reads the catalog, the schema or the shape of query results takes `small_demo_workspace`.
    """
    from agent.demo.build import build_demo_workspace

    root = tmp_path_factory.mktemp("demo") / "pinlab"
    build_demo_workspace(root, scale=DEMO_SCALE, seed=DEMO_SEED, index=False)
    return root


@pytest.fixture(scope="session")
def small_demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5 % demo workspace (≈ 1 s): the same catalog, tables and docs, for tests that need the
    shape of the data, not its statistical power."""
    from agent.demo.build import build_demo_workspace

    root = tmp_path_factory.mktemp("demo_small") / "pinlab"
    build_demo_workspace(root, scale=0.05, seed=DEMO_SEED, index=False)
    return root
