"""Fixtures for the planner: the demo catalog, a fixed reference day, a demo warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tools.catalog.load import load_catalog
from tools.catalog.model import Catalog
from tools.planner import PlannerContext

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "agent" / "demo" / "catalog.yaml"
# The demo data ends on 2026-10-31; relative dates count back from the day after.
TODAY = date(2026, 11, 1)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEMO_CATALOG)


@pytest.fixture(scope="session")
def context() -> PlannerContext:
    values = ["hf_l1_ranker_v2", "search_bert_relevance"]
    return PlannerContext(
        today=TODAY,
        data_start=date(2026, 9, 1),
        data_end=date(2026, 10, 31),
        known_values={
            ("experiment_assignments", "experiment_id"): values,
            ("experiments", "experiment_id"): values,
        },
    )


@pytest.fixture
def warehouse(small_demo_workspace: Path) -> Iterator[object]:
    from agent.workspace import Workspace
    from tools.warehouse.connection import open_warehouse

    ws = Workspace.open(small_demo_workspace)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        yield wh
