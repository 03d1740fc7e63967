"""The demo generator runs population → tables → warehouse: no stage imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "agent" / "demo"
STAGES = ["planted", "population", "tables", "warehouse", "generate", "build"]


def test_each_demo_stage_imports_only_earlier_stages() -> None:
    backwards = []
    for i, stage in enumerate(STAGES):
        tree = ast.parse((DEMO / f"{stage}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("agent.demo."):
                dep = (node.module or "").rsplit(".", 1)[-1]
                if STAGES.index(dep) >= i:
                    backwards.append(f"{stage} imports {dep}")
    assert backwards == []


def test_the_population_stage_needs_neither_pandas_nor_duckdb() -> None:
    tree = ast.parse((DEMO / "population.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert not imported & {"pandas", "duckdb"}
