"""The grounding check: numbers trace to tool outputs, citations to passages retrieved now."""

from __future__ import annotations

import pytest

from agent.assistant.events import Source
from agent.assistant.grounding import check_grounding, mark_unverified

TOOL = "saves_per_user +2.81% [+1.91%, +3.71%], p adjusted <0.001; total_saves 885740"
DATA = [{"rel_effect": 0.028134, "save_rate": 0.047931, "rows": [["homefeed", 5029697]]}]
PASSAGE = Source("docs/experimentation-guidelines.md", "SRM", 54, 70)


def unverified(answer: str) -> tuple[str, ...]:
    g = check_grounding(answer, tool_texts=[TOOL], tool_data=DATA, retrieved=[PASSAGE])
    return g.unverified_numbers + g.unverified_citations + g.unverified_dates


@pytest.mark.parametrize(
    "answer",
    [
        "Saves per user rose 2.8%.",  # rounded
        "Saves per user rose +2.81% (CI +1.91% to +3.71%).",  # as given
        "Saves per user rose 3%.",  # coarser rounding
        "The relative effect was 0.0281.",  # the fraction
        "Save rate is 4.79%.",  # fraction in the data, percent in the answer
        "885,740 saves on search, 5,029,697 on homefeed.",  # thousands separators
        "It fell 2.8% in treatment.",  # sign dropped in prose
        "See docs/experimentation-guidelines.md:60-65 for the rule.",  # inside the passage
        "Three reasons, 2 arms.",  # small counts are not figures
        "```sql\nSELECT 1 LIMIT 1000\n```",  # code is the validator's business
    ],
)
def test_grounded_answers_pass(answer: str) -> None:
    assert unverified(answer) == ()


@pytest.mark.parametrize(
    ("answer", "bad"),
    [
        ("Saves rose 4.2%.", "4.2%"),
        ("885,741 saves.", "885,741"),
        ("The effect was 0.0300.", "0.0300"),
        (
            "See docs/experimentation-guidelines.md:10-20.",
            "docs/experimentation-guidelines.md:10-20",
        ),
        ("See docs/homefeed-l1-ranking.md:1-5.", "docs/homefeed-l1-ranking.md:1-5"),
        ("It started on 2026-10-01.", "2026-10-01"),
    ],
)
def test_invented_figures_and_citations_are_caught(answer: str, bad: str) -> None:
    assert bad in unverified(answer)


def test_numbers_from_the_question_are_grounded() -> None:
    g = check_grounding("Over the last 14 days, saves rose 2.8%.", tool_texts=[TOOL],
                        question="daily saves over the last 14 days")  # fmt: skip
    assert g.ok


def test_unverified_parts_are_marked_once() -> None:
    g = check_grounding("Saves rose 4.2%, then 4.2% again.", tool_texts=[TOOL])
    marked = mark_unverified("Saves rose 4.2%, then 4.2% again.", g)
    assert marked.count("4.2% [unverified]") == 2 and "[unverified] [unverified]" not in marked
