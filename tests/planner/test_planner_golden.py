"""Golden SQL: the exact text the planner writes for a few representative questions.

Set UPDATE_GOLDEN=1 to rewrite tests/planner/golden_sql.txt after an intended change, then
review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from tools.planner import plan_sql

GOLDEN = Path(__file__).with_name("golden_sql.txt")
QUESTIONS = [
    "saves per user by country in the last 14 days",
    "save rate by week in October",
    "saver rate over the last 7 days",
    "number of users with more than 20 saves yesterday",
    "saves by pin category yesterday",
    "top 5 countries by saves over the last 30 days",
    "how many users are in each variant of hf_l1_ranker_v2",
    "which experiments are running on homefeed",
]


def _render(catalog, context) -> str:  # type: ignore[no-untyped-def]
    blocks = []
    for q in QUESTIONS:
        planned = plan_sql(q, catalog, context)
        blocks.append(f"-- {q}\n-- {planned.explanation}\n{planned.sql};\n")
    return "\n".join(blocks)


def test_planner_sql_matches_the_golden_file(catalog, context) -> None:  # type: ignore[no-untyped-def]
    text = _render(catalog, context)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
