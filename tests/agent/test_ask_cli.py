"""`lablens ask` and `lablens history` as a user runs them (a subprocess, the real CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"question", "answer", "steps", "sources", "sql", "mode", "grounded"}


def lablens(ws: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "agent", *argv, "-w", str(ws)],
        capture_output=True, text=True, cwd=ROOT, env=env, input=stdin, timeout=120,
    )  # fmt: skip


def test_json_has_the_documented_shape(workspace: Path) -> None:
    done = lablens(workspace, "ask", "--json", "--no-llm", "total saves by surface")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == KEYS  # exactly the documented keys
    assert data["mode"] == "offline" and data["grounded"] is True
    assert [s["tool"] for s in data["steps"]] == ["question_to_sql", "run_sql"]
    assert set(data["steps"][0]) == {"tool", "input", "ok", "summary"}
    assert data["sql"] and data["sql"][0].startswith("SELECT")


def test_people_get_streamed_text_and_steps_on_stderr(workspace: Path) -> None:
    done = lablens(workspace, "ask", "--no-llm", "total saves by surface")
    assert done.returncode == 0
    assert "| surface | total_saves |" in done.stdout
    assert "→ question_to_sql" in done.stderr and "✓" in done.stderr


def test_continue_follows_up_and_history_finds_it(workspace: Path) -> None:
    assert lablens(workspace, "ask", "--no-llm", "total saves on search").returncode == 0
    done = lablens(workspace, "ask", "--no-llm", "--json", "--continue", "and by country?")
    data = json.loads(done.stdout)
    assert "country" in data["sql"][0] and "search" in data["sql"][0]
    found = json.loads(lablens(workspace, "history", "country", "--json").stdout)
    assert [e["question"] for e in found["exchanges"]] == ["and by country?"]
    everything = json.loads(lablens(workspace, "history", "--json").stdout)
    assert len(everything["exchanges"]) == 2


def test_nothing_answerable_exits_2_with_a_short_answer(workspace: Path) -> None:
    for question in ("", "email the team the results", "¿cuántos usuarios hay por país?"):
        done = lablens(workspace, "ask", "--no-llm", "--json", question)
        assert done.returncode == 2, question
        data = json.loads(done.stdout)
        assert "lablens" in data["answer"] or data["error"] == "Empty question"
        assert len(data["answer"]) < 600


def test_a_20000_character_question_is_truncated_and_not_echoed(workspace: Path) -> None:
    question = "how do we handle sample ratio mismatch " + "blah " * 4000
    done = lablens(workspace, "ask", "--no-llm", "-", stdin=question)
    assert "blah " * 100 not in done.stdout + done.stderr
    assert "only the first 4,000 were read" in done.stdout


def test_an_unknown_experiment_says_did_you_mean(workspace: Path) -> None:
    done = lablens(workspace, "ask", "--no-llm", "how did hf_l1_ranker_v3 do?")
    assert done.returncode == 2
    assert "Did you mean `hf_l1_ranker_v2`?" in done.stdout


def test_with_a_model_people_see_the_checked_answer(workspace: Path) -> None:
    from agent.llm.loopback_server import ChatResponse, LoopbackServer, ScriptedToolCall

    invented = ChatResponse("Saves rose 97.3% on search.")
    replies = [
        ChatResponse(tool_calls=(ScriptedToolCall("list_experiments", {}),)),
        invented,
        invented,  # the repair turn changes nothing
    ]
    with LoopbackServer(replies, lifetime_s=90) as server:
        config = workspace / "lablens.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                'model = "gpt-4o-mini"', f'model = "m"\nbase_url = "{server.base_url}"'
            ),
            encoding="utf-8",
        )
        done = lablens(workspace, "ask", "what experiments do we have?")
    assert done.returncode == 0, done.stderr
    assert "--- answer, unverified parts marked ---" in done.stdout
    assert "97.3% [unverified]" in done.stdout
    assert "could not be verified" in done.stderr
