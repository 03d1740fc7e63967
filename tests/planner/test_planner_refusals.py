"""Questions the planner must not answer: it says what it understood and what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import PlanningError
from tools.planner import plan_query


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("asdkjh qwe zzz", "Nothing in the question matches"),
        ("how many orders were shipped last week", "'orders'"),
        ("revenue by country in October", "'revenue'"),
        ("delete all users", "only reads data"),
        ("please drop the pins table", "only reads data"),
        ("saves per user and hide rate by surface", "several metrics"),
    ],
)
def test_unmappable_questions_raise_planning_error_with_a_hint(
    catalog,
    context,
    question,  # type: ignore[no-untyped-def]
    says,
) -> None:
    with pytest.raises(PlanningError) as info:
        plan_query(question, catalog, context)
    assert says in info.value.message
    assert info.value.hint


def test_a_question_mentioning_a_verb_like_drop_is_not_a_change_request(catalog, context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanningError) as info:
        plan_query("did saves drop in October", catalog, context)
    assert "only reads data" not in info.value.message  # 'drop' is just not understood


def test_cli_refusal_exits_2_with_json_error(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.cli import main

    code = main(["sql", "delete all users", "--workspace", str(small_demo_workspace), "--json"])
    assert code == 2
    out = capsys.readouterr()
    payload = json.loads(out.out or out.err)
    assert payload["error"] == "Cannot map the question"
    assert payload["hint"]
