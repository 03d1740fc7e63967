"""As a person would: `lablens chat` started in a real terminal (tmux) on a demo workspace,
a question typed, the answer read back from the screen with `tmux capture-pane`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)


def _tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=20
    ).stdout


def _screen_until(session: str, predicate: object, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-t", session, "-p")
        if predicate(screen):  # type: ignore[operator]
            return screen
        time.sleep(0.3)
    raise AssertionError(f"the screen never showed what was expected:\n{screen}")


def test_chat_in_tmux_answers_a_typed_question(chat_workspace: Path, tmp_path: Path) -> None:
    session = f"lablens-test-{uuid.uuid4().hex[:8]}"
    env = {
        # The pane's own size, not a size pytest's workers put in the environment.
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TMUX") and k not in ("COLUMNS", "LINES")
        },
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
    }
    command = (
        f"{sys.executable} -m agent chat --no-llm --workspace {chat_workspace}; "
        "echo EXITED-$?; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
        check=True,
        env=env,
        cwd=REPO,
        timeout=20,
    )
    try:
        _screen_until(session, lambda s: "│ ready" in s, timeout=60)
        _tmux("send-keys", "-t", session, "-l", "saves per user by platform last 7 days")
        _tmux("send-keys", "-t", session, "Enter")
        screen = _screen_until(session, lambda s: "offline" in s and "ios" in s, timeout=60)
        assert "saves_per_user" in screen
        assert "android" in screen and "web" in screen
        _tmux("send-keys", "-t", session, "C-q")
        _screen_until(session, lambda s: "EXITED-0" in s, timeout=20)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, timeout=20)
