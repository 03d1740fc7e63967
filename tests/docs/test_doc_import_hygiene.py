"""The doc index stays light to import and independent of the application layer."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "chromadb",
    "torch",
    "sentence_transformers",
    "openai",
    "langchain",
    "langchain_core",
    "agent",
    "textual",
)


def test_indexes_import_no_heavy_or_app_modules_until_used() -> None:
    code = (
        "import sys, indexes.build, indexes.search, indexes.records, indexes.retrieval_metrics;"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_search_and_index_commands_register_without_heavy_imports() -> None:
    code = (
        "import sys, argparse, agent.commands.index as i, agent.commands.search as s;"
        "p = argparse.ArgumentParser(); sub = p.add_subparsers();"
        "i.register(sub); s.register(sub);"
        "print([m for m in ('chromadb', 'torch', 'indexes.build', 'rich')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
