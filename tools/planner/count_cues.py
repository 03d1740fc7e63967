"""Words that decide whether a 'by' or a superlative groups, names who did it, or counts.

'published by creators' names the doers; 'the largest number of pins' and 'the most users'
rank by a count; 'top 5 countries by users who hid a pin' ranks countries by a count of users.
"""

from __future__ import annotations

from collections.abc import Callable

from tools.planner.match import Mention
from tools.planner.read_question import Reading
from tools.planner.tokens import Token
from tools.planner.vocabulary import ASCENDING, COUNT_WORDS, DESCENDING

# Past participles that do not end in -ed: "clicks made by creator accounts".
_PARTICIPLE_WORDS = """
made done written seen given taken sent bought sold paid spent won built run driven brought read
held led left
"""
_IRREGULAR_PARTICIPLES = frozenset(_PARTICIPLE_WORDS.split())


def agentive_by(toks: list, i: int) -> bool:  # type: ignore[type-arg]
    # "published by creators" names who did it; it is not a breakdown.
    if toks[i].lower != "by" or i == 0:
        return False
    before = toks[i - 1].lower
    return before.endswith("ed") or before in _IRREGULAR_PARTICIPLES


_WHO_LEADS = {"who", "that", "whose", "which"}


def counts_rows_named_next(
    reading: Reading,
    i: int,
    mentions: list[Mention],
    is_flag: Callable[[Mention], bool] = lambda _: False,
) -> bool:
    """'countries with the most users who saved', 'top 5 countries by users (who hid)': a
    superlative, or a ranking's 'by', right before a table's plural counts those rows (as
    'the most pins' or 'by number of users' would); it is no MAX and no breakdown by them.
    After a ranking's 'by', a flag's plural counts its holders ('by creators who saved')."""
    toks = reading.tokens
    m = next((m for m in mentions if m.start == i + 1), None)
    if m is None or not toks[m.end - 1].lower.endswith("s"):
        return False
    table = bool(m.of_kind("table"))
    if toks[i].stem in DESCENDING | ASCENDING:
        # "top users": the users are ranked
        return table and toks[i].lower not in ("top", "bottom")
    if toks[i].lower != "by" or (reading.limit is None and not reading.superlatives):
        return False
    if not table and not is_flag(m):
        return False
    # The plural ends the phrase: the question ends, a period follows, or who did what.
    ends = m.end >= len(toks) or m.end in reading.used or toks[m.end].lower in _WHO_LEADS
    ranked = any(other.end <= i for other in mentions)  # what the count ranks, named before
    return ends and ranked


def ranks_a_count(toks: list[Token], i: int) -> bool:
    """'the largest number of pins' ranks by a count ('the most pins'); it is no MAX."""
    return (
        toks[i].stem in DESCENDING | ASCENDING
        and i + 1 < len(toks)
        and toks[i + 1].stem in COUNT_WORDS
    )
