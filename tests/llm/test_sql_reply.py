"""Getting SQL out of a model answer, and validator problems into the repair prompt."""

from __future__ import annotations

from dataclasses import dataclass

from agent.llm.sql_reply import extract_sql, format_problems


def test_first_sql_block_wins() -> None:
    text = "Here:\n```sql\nSELECT 1\n```\nor\n```sql\nSELECT 2\n```"
    assert extract_sql(text) == "SELECT 1"


def test_unlabeled_block_is_accepted_when_no_sql_block() -> None:
    assert extract_sql("```python\nprint(1)\n```\n```\nSELECT 3\n```") == "SELECT 3"


def test_no_block_means_no_sql() -> None:
    assert extract_sql("I cannot answer: no table has refunds.") is None


def test_problems_from_objects_or_dicts_keep_codes_and_hints() -> None:
    @dataclass
    class Problem:
        code: str
        message: str
        hint: str | None

    text = format_problems(
        [
            Problem("unknown_column", "no column `savez`", "did you mean `saves`?"),
            {"code": "missing_partition_filter", "message": "filter on dt", "hint": None},
        ]
    )
    assert text.splitlines() == [
        "- [unknown_column] no column `savez` Hint: did you mean `saves`?",
        "- [missing_partition_filter] filter on dt",
    ]
