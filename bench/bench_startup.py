"""Cold start of CLI commands: median wall time of N fresh processes.

Usage: .venv/bin/python bench/bench_startup.py [-n 15] [ARGS ...]   (default: --help)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

LABLENS = str(Path(sys.executable).with_name("lablens"))


def time_command(argv: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([LABLENS, *argv], capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=15)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args()
    argv = ns.args or ["--help"]
    samples = time_command(argv, ns.n)
    print(
        f"lablens {' '.join(argv)}: median {statistics.median(samples) * 1000:.0f} ms, "
        f"max {max(samples) * 1000:.0f} ms over {ns.n} runs"
    )


if __name__ == "__main__":
    main()
