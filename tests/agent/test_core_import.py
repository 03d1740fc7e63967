"""The headless core imports no CLI or UI library (so the chat UI and scripts can embed it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_session_imports_no_rich_argparse_or_textual() -> None:
    code = (
        "import sys\n"
        "from agent.assistant.session import Session\n"
        "import agent.assistant.llm_loop, agent.assistant.offline, agent.assistant.history\n"
        "import agent.assistant.tools, agent.assistant.router, agent.assistant.grounding\n"
        "print(sorted(m for m in ('rich', 'argparse', 'textual') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
