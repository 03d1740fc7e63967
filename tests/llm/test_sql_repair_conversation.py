"""The pieces the NL→SQL path strings together: generate, extract, repair with problems."""

from __future__ import annotations

from agent.llm.model import assistant_turn
from agent.llm.prompt_messages import prompt_messages
from agent.llm.scripted import ScriptedModel
from agent.llm.sql_reply import extract_sql, format_problems

FIXED = "SELECT sum(saves) FROM engagement_daily WHERE dt >= DATE '2026-10-01'"


def test_repair_turn_carries_previous_sql_and_validator_problems() -> None:
    model = ScriptedModel(
        [
            "```sql\nSELECT savez FROM engagement_daily\n```\nSaves.",
            f"```sql\n{FIXED}\n```\nOk.",
        ]
    )
    messages = prompt_messages(
        "sql_generation",
        dialect="duckdb",
        today="2026-10-31",
        schema="engagement_daily(dt DATE partition, saves INTEGER)",
        values="(none)",
        examples="(none)",
        question="total saves in October",
    )
    first = model.complete(messages)
    bad_sql = extract_sql(first.text)
    assert bad_sql == "SELECT savez FROM engagement_daily"

    problems = [
        {"code": "unknown_column", "message": "no column `savez`", "hint": "did you mean `saves`?"},
        {"code": "missing_partition_filter", "message": "filter on `dt`", "hint": None},
    ]
    messages = [
        *messages,
        assistant_turn(first),
        *prompt_messages(
            "sql_repair", previous_sql=bad_sql, errors=format_problems(problems), dialect="duckdb"
        ),
    ]
    second = model.complete(messages)

    repair_prompt = model.last_call.messages[-1].content
    assert [m.role for m in model.last_call.messages] == ["system", "user", "assistant", "user"]
    assert "SELECT savez FROM engagement_daily" in repair_prompt
    assert "[unknown_column] no column `savez` Hint: did you mean `saves`?" in repair_prompt
    assert "[missing_partition_filter]" in repair_prompt
    assert extract_sql(second.text) == FIXED
