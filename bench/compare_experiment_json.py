"""Compare two folders of `lablens experiment summarize ID --json` outputs, number by number.

Used to show that a change to the statements leaves every result as it was: numbers must
agree to a relative tolerance (parallel sums in DuckDB add in varying order, so the last
digits of a difference of sums move between runs), everything else exactly. The `sql` key
(the statements run) is left out: it is what such a change changes.

    for e in $(ids); do lablens experiment summarize $e --json -w WS > before/$e.json; done
    ... (the same into after/ with the change)
    python bench/compare_experiment_json.py before after [--rel 1e-9]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

IGNORED = {"sql"}


def differences(a: Any, b: Any, path: str, rel: float) -> list[str]:
    """Where `a` and `b` differ (numbers beyond `rel`), as readable paths."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted((set(a) | set(b)) - IGNORED):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: present on one side only")
            else:
                out += differences(a[key], b[key], f"{path}.{key}", rel)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]", rel)
        ]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if a == b or math.isclose(a, b, rel_tol=rel, abs_tol=1e-15):
            return []
        return [f"{path}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"[:300]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rel", type=float, default=1e-9, help="relative tolerance")
    args = parser.parse_args()
    failed = 0
    files = sorted(args.before.glob("*.json"))
    if not files:
        print(f"no .json files in {args.before}")
        return 2
    for file in files:
        other = args.after / file.name
        if not other.exists():
            print(f"{file.stem}: missing in {args.after}")
            failed += 1
            continue
        found = differences(
            json.loads(file.read_text()), json.loads(other.read_text()), file.stem, args.rel
        )
        print(f"{file.stem}: " + ("same" if not found else f"{len(found)} differences"))
        for line in found[:20]:
            print(f"  {line}")
        failed += bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
