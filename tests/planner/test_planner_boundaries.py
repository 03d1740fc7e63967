"""The planner is a pure `tools/` package: no agent, LLM or UI imports, no demo names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PLANNER = Path(__file__).resolve().parents[2] / "tools" / "planner"


def test_planner_imports_no_agent_langchain_or_textual() -> None:
    code = (
        "import sys, tools.planner, tools.planner.pipeline; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('agent', 'langchain', 'langchain_core', 'textual', 'chromadb', 'duckdb')]; "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PLANNER.parents[1],
    )
    assert out.stdout.strip() == ""


def test_planner_code_names_no_demo_table() -> None:
    demo_names = (
        "engagement_daily",
        "pin_engagement_daily",
        "user_features_daily",
        "experiment_assignments",
        "saves_per_user",
        "save_rate",
        "homefeed",
    )
    for path in PLANNER.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [n for n in demo_names if n in text], path.name
