"""Shared fixtures: an isolated environment for every test and one demo workspace per run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
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


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A workspace built by `build(root)` once per run, and this worker's own copy of it.

    With the suite spread over workers (pytest-xdist), the first worker to need it builds it
    under a lock in the run's shared temp folder and every worker copies it: the same bytes,
    built once, and no worker sees another's writes (a result cache, a history)."""
    mine = tmp_path_factory.mktemp(name) / "pinlab"
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        build(mine)
        return mine
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / f"built-{name}"
    with FileLock(f"{shared}.lock"):
        if not (shared / "complete").exists():
            shutil.rmtree(shared, ignore_errors=True)
            build(shared / "pinlab")
            (shared / "complete").touch()
    shutil.copytree(shared / "pinlab", mine)
    return mine


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full-scale demo workspace (80 k users; ≈ 11 s to build), once per run; read-only.

    Only for tests that need the experiments' real sample sizes (verdicts, power): a test that
    reads the catalog, the schema or the shape of query results takes `small_demo_workspace`.
    """
    from agent.demo.build import build_demo_workspace

    def build(root: Path) -> None:
        build_demo_workspace(root, scale=DEMO_SCALE, seed=DEMO_SEED, index=False)

    return built_once(tmp_path_factory, "demo", build)


@pytest.fixture(scope="session")
def small_demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5 % demo workspace (≈ 1 s): the same catalog, tables and docs, for tests that need the
    shape of the data, not its statistical power."""
    from agent.demo.build import build_demo_workspace

    def build(root: Path) -> None:
        build_demo_workspace(root, scale=0.05, seed=DEMO_SEED, index=False)

    return built_once(tmp_path_factory, "demo_small", build)


def indexed_small_demo(tmp_path_factory: pytest.TempPathFactory, small_demo: Path) -> Path:
    """A copy of the small demo with its docs and reports indexed by the workspace's own
    settings (the bundled model, the default runtime). Built once per run: the chat tests and
    the retrieval-quality test read the same index, each from its own copy."""
    from agent.demo.build import index_demo_docs

    def build(root: Path) -> None:
        shutil.copytree(small_demo, root)
        index_demo_docs(root)

    return built_once(tmp_path_factory, "indexed_demo", build)


# The suite runs on every core (pytest-xdist, `--dist loadgroup`). A file's tests stay on one
# worker so its module-scoped fixtures (an index, a server) are built once, and every test that
# shares the Spark server goes to the same worker so only one JVM starts.
_SHARED_SERVER_FIXTURES = frozenset({"spark_server", "spark_demo"})


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    groups: dict[pytest.Item, str] = {}
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        groups[item] = "spark" if fixtures & _SHARED_SERVER_FIXTURES else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(groups[item]))
    # Longest first, so no worker is left with a long group at the end: the Spark tests (a JVM
    # to start), then the files with a slow test or a server to start, then the rest, each in
    # collection order.
    slow = {
        groups[i]
        for i in items
        if i.get_closest_marker("slow") is not None or i.get_closest_marker("server") is not None
    }
    items.sort(key=lambda i: (groups[i] != "spark", groups[i] not in slow))
