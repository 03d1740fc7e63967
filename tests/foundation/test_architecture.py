"""Dependencies point one way, and the CLI starts without heavy imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_BELOW_AGENT = ("agent", "textual", "langchain", "langchain_core", "langchain_openai")
HEAVY = (
    "torch",
    "sentence_transformers",
    "chromadb",
    "langchain_core",
    "textual",
    "duckdb",
    "sqlglot",
    "scipy",
    "pandas",
    "matplotlib",
    "numpy",
    "openai",
    "rich",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["tools", "indexes"])
def test_lower_layers_never_import_the_application(package: str) -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_modules(p) & set(FORBIDDEN_BELOW_AGENT))
        for p in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from agent.cli import build_parser; build_parser().format_help(); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
