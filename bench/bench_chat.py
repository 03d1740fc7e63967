"""The chat's responsiveness: first paint, keypress latency while an answer streams, and
scrolling a 10,000-row result.

Usage: .venv/bin/python bench/bench_chat.py --workspace DIR [-n 5]

- first paint: fresh processes; wall time from process start to the app's first mounted
  frame (headless), and whether the core's heavy modules were already imported then; plus
  the same in a real terminal (tmux), start to the prompt box on screen, when tmux exists.
- keypress while streaming: a core that streams 4,000 Markdown deltas as fast as the UI
  takes them (what an LLM stream looks like to the UI); each keypress into the input is
  timed from `press` to the key being in the text area (p50/p95 over 100 keys).
- 10,000 rows: time to show the table, then p95 of 100 PageDown presses through it, and a
  full sort by a column.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HEAVY = ("duckdb", "sqlglot", "chromadb", "torch", "pandas", "langchain_core")

PAINT_PROBE = """
import sys, time
t0 = time.perf_counter()
from agent.chat.app import ChatApp
class Probe(ChatApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.done)
    def done(self):
        heavy = [m for m in {heavy!r} if m in sys.modules]
        print(f"{{(time.perf_counter() - t0) * 1000:.0f}} {{','.join(heavy) or '-'}}")
        self.exit()
import asyncio
async def main():
    app = Probe({ws!r}, use_llm=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.is_running:
            await pilot.pause(0.01)
asyncio.run(main())
"""


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def first_paint(ws: str, runs: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    times, heavy = [], set()
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", PAINT_PROBE.format(heavy=HEAVY, ws=ws)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=REPO,
        ).stdout.split()
        wall = (time.perf_counter() - start) * 1000
        times.append(float(out[0]) if out else wall)
        heavy.update(m for m in (out[1].split(",") if len(out) > 1 else []) if m != "-")
    print(
        f"first paint (headless, in-process from start): median {statistics.median(times):.0f} ms,"
        f" max {max(times):.0f} ms over {runs} runs; heavy modules at first paint: "
        f"{', '.join(sorted(heavy)) or 'none'}"
    )
    if shutil.which("tmux"):
        samples = [tmux_paint(ws, env) for _ in range(runs)]
        print(
            f"first paint (tmux, process start to prompt on screen): median "
            f"{statistics.median(samples):.0f} ms, max {max(samples):.0f} ms over {runs} runs"
        )


def tmux_paint(ws: str, env: dict[str, str]) -> float:
    session = f"bench-chat-{uuid.uuid4().hex[:6]}"
    cmd = f"{sys.executable} -m agent chat --no-llm --workspace {ws}"
    start = time.perf_counter()
    made = subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd],
        env={k: v for k, v in env.items() if not k.startswith("TMUX")},
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise RuntimeError(f"tmux would not start: {made.stderr.strip()}")
    try:
        while True:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-t", session, "-p"], capture_output=True, text=True
            ).stdout
            if "Enter sends" in screen:
                return (time.perf_counter() - start) * 1000
            if time.perf_counter() - start > 30:
                raise RuntimeError("the chat never painted")
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


class StreamingCore:
    """Streams Markdown deltas like a model would; the UI cannot tell the difference."""

    def __init__(self, deltas: int) -> None:
        self.deltas = deltas

    def answer(self, question: str, history: Sequence[Any]) -> Iterator[Any]:
        from agent.assistant.events import AnswerReady, TextDelta

        text = []
        for i in range(self.deltas):
            piece = f"word{i} " + ("\n\n" if i % 40 == 39 else "")
            text.append(piece)
            yield TextDelta(piece)
            time.sleep(0.002)
        yield AnswerReady(question, "".join(text), "llm", True)

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


async def keypress_while_streaming(ws: str) -> None:
    from textual import events

    from agent.chat.app import ChatApp
    from agent.chat.core_link import open_core
    from agent.chat.prompt_input import PromptInput

    def opener(w: str | None, llm: bool | None) -> Any:
        opened = open_core(w, use_llm=False)
        opened.core = StreamingCore(4000)  # type: ignore[assignment]
        return opened

    app = ChatApp(ws, use_llm=False, opener=opener)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.opened is None:
            await pilot.pause(0.05)
        prompt = app.query_one(PromptInput)
        prompt.insert("stream please")
        await pilot.press("enter")
        while not app.busy:
            await pilot.pause(0.01)
        await pilot.pause(0.3)
        samples = []
        view = app.current[0] if app.current else None
        for _ in range(100):
            if not app.busy:
                break
            before = len(prompt.text)
            # Posted as the terminal driver posts a key (pilot.press would also wait for the
            # whole UI to go idle, which it never does while text streams in).
            start = time.perf_counter()
            app.post_message(events.Key("x", "x"))
            while len(prompt.text) == before:
                await asyncio.sleep(0.0005)
            samples.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.02)
        streamed = len(view.text) if view is not None else 0
    print(
        f"keypress while streaming: p50 {pct(samples, 0.5):.1f} ms, "
        f"p95 {pct(samples, 0.95):.1f} ms,"
        f" max {max(samples):.1f} ms over {len(samples)} keys ({streamed:,} chars streamed by then)"
    )


async def big_table() -> None:
    from textual.app import App, ComposeResult

    from agent.chat.result_table import ResultTable

    rows = [
        [f"2026-10-{i % 30 + 1:02d}", ("homefeed", "search", "related_pins")[i % 3], i, i * 7.5]
        for i in range(10_000)
    ]

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ResultTable(["dt", "surface", "saves", "time_spent_s"], rows)

    app = Host()
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(ResultTable)
        await pilot.pause()
        shown = (time.perf_counter() - start) * 1000
        table.focus()
        samples = []
        for _ in range(100):
            t = time.perf_counter()
            await pilot.press("pagedown")
            samples.append((time.perf_counter() - t) * 1000)
        loaded, cursor = table.loaded, table.cursor_row
        t = time.perf_counter()
        table.sort_rows(2, reverse=True)
        await pilot.pause()
        sort_ms = (time.perf_counter() - t) * 1000
    print(
        f"10,000-row table: shown in {shown:.0f} ms; PageDown p50 {pct(samples, 0.5):.1f} ms, "
        f"p95 {pct(samples, 0.95):.1f} ms (at row {cursor:,}, {loaded:,} rows loaded); "
        f"sort all rows {sort_ms:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("-n", type=int, default=5)
    ns = parser.parse_args()
    first_paint(ns.workspace, ns.n)
    asyncio.run(keypress_while_streaming(ns.workspace))
    asyncio.run(big_table())


if __name__ == "__main__":
    main()
