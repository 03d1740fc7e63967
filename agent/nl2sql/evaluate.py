"""Execution accuracy of question -> SQL: run the answer and the gold SQL, compare results.

Results match when they hold the same rows (in order only when the question orders them),
numbers within a relative tolerance, columns in any order. Gold SQL goes through the same
validator as everything else.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.planner.sql_answer import SqlAnswer
    from tools.warehouse.connection import Warehouse

Row = tuple[object, ...]  # one result row: cells of any SQL type

REL_TOL = 1e-6


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    category: str
    question: str
    gold: str
    ordered: bool = False


@dataclass
class EvalOutcome:
    question: EvalQuestion
    correct: bool
    reason: str = ""  # why not, when not
    sql: str = ""
    source: str = ""


@dataclass
class EvalReport:
    outcomes: list[EvalOutcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / max(1, len(self.outcomes))

    def by_category(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            ok, n = out.get(o.question.category, (0, 0))
            out[o.question.category] = (ok + o.correct, n + 1)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "accuracy": self.accuracy,
            "correct": sum(o.correct for o in self.outcomes),
            "total": len(self.outcomes),
            "by_category": {
                k: {"correct": ok, "total": n, "accuracy": ok / n}
                for k, (ok, n) in sorted(self.by_category().items())
            },
            "failures": [
                {
                    "id": o.question.id,
                    "question": o.question.question,
                    "reason": o.reason,
                    "sql": o.sql,
                }
                for o in self.outcomes
                if not o.correct
            ],
        }


def load_questions(path: Path) -> tuple[date | None, list[EvalQuestion]]:
    import yaml

    from tools.date_values import as_date

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    anchor = data.get("anchor_today")
    questions = [
        EvalQuestion(
            q["id"],
            q["category"],
            q["question"],
            " ".join(q["gold"].split()),
            bool(q.get("ordered", False)),
        )
        for q in data["questions"]
    ]
    return (as_date(anchor) if anchor else None), questions


def evaluate(
    questions: list[EvalQuestion],
    answer: Callable[[str], SqlAnswer],
    catalog: Catalog,
    warehouse: Warehouse,
) -> EvalReport:
    """Run every question through `answer` and compare with its gold SQL's result."""
    from tools.errors import LablensError
    from tools.warehouse.run import run_validated

    report = EvalReport()
    for q in questions:
        gold_report, gold = run_validated(
            q.gold, catalog, warehouse, default_limit=None, explain=False
        )
        if gold is None:
            raise ValueError(f"gold SQL of {q.id} is invalid: {gold_report.summary()}")
        try:
            got = answer(q.question)
        except LablensError as exc:
            report.outcomes.append(EvalOutcome(q, False, f"{exc.title}: {exc.message}"))
            continue
        if not got.valid or not got.executed:
            reason = "; ".join(e.message for e in got.errors) or "not executed"
            report.outcomes.append(EvalOutcome(q, False, reason, got.sql, got.source))
            continue
        same = results_match(
            [tuple(r) for r in gold.rows], [tuple(r) for r in got.rows], ordered=q.ordered
        )
        report.outcomes.append(
            EvalOutcome(q, same, "" if same else "different result", got.sql, got.source)
        )
    return report


def results_match(expected: list[Row], actual: list[Row], *, ordered: bool) -> bool:
    if len(expected) != len(actual):
        return False
    if not expected:
        return True
    width = len(expected[0])
    if any(len(r) != width for r in actual):
        return False
    exp_rows = [tuple(_norm(v) for v in r) for r in expected]
    # Column order is the answer's choice; try every permutation (results are narrow).
    for perm in itertools.permutations(range(width)):
        act_rows = [tuple(_norm(r[i]) for i in perm) for r in actual]
        if ordered:
            if all(_rows_equal(a, b) for a, b in zip(exp_rows, act_rows, strict=True)):
                return True
        elif _multiset_equal(exp_rows, act_rows):
            return True
    return False


def _norm(v: object) -> object:
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, bool):
        return v
    return v


def _equal(a: object, b: object) -> bool:
    if (
        isinstance(a, int | float)
        and isinstance(b, int | float)
        and not (isinstance(a, bool) or isinstance(b, bool))
    ):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-9)
    return bool(a == b)


def _rows_equal(a: Row, b: Row) -> bool:
    return all(_equal(x, y) for x, y in zip(a, b, strict=True))


def _sort_key(row: Row) -> tuple[str, ...]:
    return tuple(
        f"{float(v):.6g}" if isinstance(v, int | float) and not isinstance(v, bool) else repr(v)
        for v in row
    )


def _multiset_equal(a: list[Row], b: list[Row]) -> bool:
    return all(
        _rows_equal(x, y)
        for x, y in zip(sorted(a, key=_sort_key), sorted(b, key=_sort_key), strict=True)
    )
