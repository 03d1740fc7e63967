"""Words a plan could only drop while changing the question: refused, or named in the notes.

"Users with no saves" read without "no" counted the users with saves; "average order value"
with no column for an order's value averaged a count of orders; "saves by surface in
experiments" with no join to experiments summed every row. Each is caught here, after the
words are matched (the first two) or once the plan shows what it used (the last).
"""

from __future__ import annotations

from itertools import pairwise

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.match import Mention
from tools.planner.plan_model import QueryPlan
from tools.planner.read_question import Reading
from tools.planner.roles import Roles, mention_kinds
from tools.planner.tokens import phrase_stems

_NONE_WORDS = {"no", "without"}
_VALUE_WORDS = {"value", "values"}


def refuse_none(catalog: Catalog, reading: Reading, mentions: list[Mention]) -> None:
    """'products with no reviews', 'users without saves': the ones with none, whom the rows
    that exist cannot show (read without the word, the answer counted those with some)."""
    toks = reading.tokens
    for m in mentions:
        if m.start == 0 or toks[m.start - 1].lower not in _NONE_WORDS:
            continue
        if m.of_kind("table") or "numeric" in mention_kinds(catalog, m):
            raise PlanningError(
                f"Understood '{toks[m.start - 1].text} {m.text}', but counting the ones with "
                f"no {m.text} at all is not supported: read without that word, the answer "
                f"would count the ones with {m.text}.",
                hint=f"Count the ones with {m.text} instead, or rank them ('top … by …').",
            )


def refuse_dropped_words(reading: Reading, roles: Roles, plan: QueryPlan) -> None:
    """Words that would leave the plan while changing the question: 'average order value'
    (no column holds a row's value)."""
    if plan.measure.kind not in ("count_rows", "count_distinct") or roles.agg is None:
        return
    counted = (plan.measure.entity or plan.base_table).lower()
    name = phrase_stems(counted)[-1:]
    for before, t in pairwise(reading.tokens):
        if t.lower in _VALUE_WORDS and (before.stem,) == name:
            raise PlanningError(
                f"Understood '{before.text} {t.text}', but no column holds a value of "
                f"{counted}: the answer would count {counted} instead.",
                hint="Name the numeric column to aggregate (`lablens catalog show` lists them).",
            )


_RESTRICTING = {"in", "among", "within", "inside"}


def restrictions_not_applied(reading: Reading, roles: Roles, plan: QueryPlan) -> list[str]:
    """'saves by surface in experiments': a table the question restricts to, that the answer
    neither reads nor joins (no join path relates it one-to-one), said, not dropped silently."""
    used = {plan.base_table.lower(), *(j.table.lower() for j in plan.joins)}
    toks = reading.tokens
    out = []
    for m in roles.tables:
        if m.start == 0 or toks[m.start - 1].lower not in _RESTRICTING:
            continue
        if {c.table.lower() for c in m.of_kind("table")} & used:
            continue
        words = f"{toks[m.start - 1].text} {m.text}"
        out.append(
            f"'{words}' is not applied: no join along the catalog's keys relates "
            f"{m.text} to the rows of {plan.base_table} without repeating them, so the answer "
            f"is over every row of {plan.base_table} in the period."
        )
    return out
