"""LLM adapter overhead against the loopback OpenAI-compatible server (no network).

Usage: .venv/bin/python bench/bench_llm_overhead.py
"""

from __future__ import annotations

import statistics
import time

CALLS = 100


def main() -> None:
    t0 = time.perf_counter()
    import agent.llm  # noqa: F401  (timed: the package must not import LangChain)

    t_import = time.perf_counter() - t0
    from agent.config import LLMSettings, Secret
    from agent.llm import OpenAIChatModel, user
    from agent.llm.loopback_server import LoopbackServer

    with LoopbackServer(["ok"] * (CALLS + 1)) as server:
        model = OpenAIChatModel(
            LLMSettings(base_url=server.base_url, api_key=Secret("sk-bench-000000"), model="m")
        )
        t0 = time.perf_counter()
        model.complete([user("warm up")])
        first = time.perf_counter() - t0
        latencies = []
        for _ in range(CALLS):
            t0 = time.perf_counter()
            model.complete([user("q")])
            latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    print(
        f"import agent.llm: {t_import * 1000:.0f} ms; first call (imports LangChain): "
        f"{first * 1000:.0f} ms; per call p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(CALLS * 0.95) - 1]:.1f} ms over {CALLS} calls"
    )


if __name__ == "__main__":
    main()
