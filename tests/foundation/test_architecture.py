"""Dependencies point one way, checked against an explicit table; the CLI starts light.

Every module of agent/, tools/, indexes/ and prompts/ is read with `ast` (imports inside
functions and TYPE_CHECKING blocks included) and judged by the most specific row of `TABLE`.
A failure names the module, the import and the rule it breaks.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = ("agent", "tools", "indexes", "prompts")
LLM_CLIENTS = ("langchain", "langchain_core", "langchain_openai", "langchain_community", "openai")
UI = ("textual",)
CLI = ("rich", "argparse")


@dataclass(frozen=True)
class Rule:
    allowed: tuple[str, ...]  # first-party module prefixes this package may import
    forbidden: tuple[str, ...]  # third-party top-level packages it must not import
    why: str


# The most specific package prefix wins.
TABLE: dict[str, Rule] = {
    "indexes": Rule(
        ("indexes", "tools.errors"),
        (*LLM_CLIENTS, *UI, "rich"),
        "indexes is the bottom layer: it shares only the error vocabulary of tools",
    ),
    "tools": Rule(
        ("tools", "indexes"),
        (*LLM_CLIENTS, *UI, "rich"),
        "tools are capabilities usable alone: no application, no UI, no LLM",
    ),
    "prompts": Rule(("prompts",), (*LLM_CLIENTS, *UI, "rich"), "prompts are files and a loader"),
    "agent": Rule(
        FIRST_PARTY,
        (*LLM_CLIENTS, *UI),
        "LangChain/openai live in agent.llm, Textual in agent.chat",
    ),
    "agent.llm": Rule(
        ("agent.llm", "agent.config", "tools", "prompts"),
        (*UI, *CLI),
        "the LLM adapter knows no CLI, UI or agent logic",
    ),
    "agent.chat": Rule(FIRST_PARTY, LLM_CLIENTS, "the UI renders the core's events"),
    "agent.assistant": Rule(
        (
            "agent.assistant",
            "agent.llm",
            "agent.config",
            "agent.workspace",
            "agent.nl2sql",
            "tools",
            "indexes",
            "prompts",
        ),
        (*LLM_CLIENTS, *UI, *CLI),
        "the headless core imports no CLI or UI (agent.cli, agent.commands, agent.output, "
        "agent.chat, rich, argparse, textual)",
    ),
}
# Known, deliberate exceptions: (module, import) -> reason.
EXCEPTIONS = {
    ("indexes.embedders", "openai"): "the OpenAI-compatible /v1/embeddings client of the index",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                names.add(node.module)
    return names


def rule_for(module: str) -> tuple[str, Rule] | None:
    best = [p for p in TABLE if module == p or module.startswith(p + ".")]
    if not best:
        return None
    prefix = max(best, key=len)
    return prefix, TABLE[prefix]


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def offences(module: str, imported: set[str]) -> list[str]:
    found = rule_for(module)
    if found is None:
        return []
    prefix, rule = found
    out = []
    for name in sorted(imported):
        top = name.split(".")[0]
        if (module, top) in EXCEPTIONS:
            continue
        if top in FIRST_PARTY and not _under(name, rule.allowed):
            out.append(f"{module} imports {name}: not allowed in {prefix} ({rule.why})")
        elif top in rule.forbidden:
            out.append(f"{module} imports {name}: forbidden in {prefix} ({rule.why})")
    return out


def test_every_import_follows_the_table() -> None:
    problems = []
    for package in FIRST_PARTY:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_name(path)
            problems += offences(module, imports_of(path, module))
    assert problems == []


@pytest.mark.parametrize(
    ("module", "imported", "named"),
    [
        ("indexes.search", {"tools.sql.validate"}, "indexes.search imports tools.sql.validate"),
        ("tools.sql.rules.x", {"rich.table"}, "tools.sql.rules.x imports rich.table"),
        ("agent.commands.ask", {"textual.app"}, "imports textual.app"),
        ("agent.nl2sql.generate", {"langchain_openai"}, "imports langchain_openai"),
        (
            "agent.assistant.session",
            {"agent.output"},
            "agent.assistant.session imports agent.output",
        ),
        ("agent.assistant.router", {"argparse"}, "imports argparse"),
    ],
)
def test_a_broken_rule_names_the_offending_import(
    module: str, imported: set[str], named: str
) -> None:
    found = offences(module, imported)
    assert len(found) == 1 and named in found[0]


def test_allowed_imports_pass() -> None:
    assert offences("agent.llm.openai_chat", {"langchain_openai", "openai", "tools.errors"}) == []
    assert offences("agent.chat.app", {"textual.app", "agent.assistant.session"}) == []
    assert offences("indexes.search", {"tools.errors"}) == []


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


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from agent.cli import build_parser; build_parser().format_help(); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
