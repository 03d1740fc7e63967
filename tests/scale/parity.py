"""Comparing one workspace's answers on two warehouses: the planner's rows and the experiment
statistics, query by query, with every statement still going through the validator."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tools.warehouse.execute import QueryResult

EVAL_QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "nl2sql_eval.yaml"
# The planted truth of the full-size demo (DESIGN.md): the verdict each experiment gets there
# (the small demo has too few units for most of them; parity is then with DuckDB's verdict).
DEMO_VERDICTS = {
    "hf_l1_ranker_v2": "ship",
    "search_bert_relevance": "no_ship",
    "notif_seq_model": "invalid",
    "rp_candidate_gen_v3": "inconclusive",
    "video_boost_3arm": "tradeoff",
}
DEMO_EXPERIMENTS = tuple(DEMO_VERDICTS)


@dataclass
class RecordingWarehouse:
    """Passes every call through to `inner` and keeps each executed statement's result."""

    inner: Any
    results: list[QueryResult] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return str(self.inner.dialect)

    def explain(self, sql: str) -> str:
        return str(self.inner.explain(sql))

    def execute(self, sql: str) -> QueryResult:
        result: QueryResult = self.inner.execute(sql)
        self.results.append(result)
        return result

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> RecordingWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def plain(value: Any) -> Any:
    """Engine-neutral form of a cell: Decimal as float, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def cells_close(a: Any, b: Any, rel: float) -> bool:
    a, b = plain(a), plain(b)
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=rel)
    return bool(a == b)


def differing_cells(
    a: QueryResult, b: QueryResult, *, rel: float
) -> list[tuple[int, str, Any, Any]]:
    """(row, column, a, b) for each cell that differs beyond `rel`; a shape change is one."""
    if a.columns != b.columns or len(a.rows) != len(b.rows):
        return [(-1, "shape", (a.columns, len(a.rows)), (b.columns, len(b.rows)))]
    out = []
    for i, (ra, rb) in enumerate(zip(a.rows, b.rows, strict=True)):
        for col, x, y in zip(a.columns, ra, rb, strict=True):
            if not cells_close(x, y, rel):
                out.append((i, col, x, y))
    return out


def stats_differences(
    duck: RecordingWarehouse, other: RecordingWarehouse, *, rel: float = 1e-9
) -> list[str]:
    """Every statistics cell that differs between the two runs (same queries, same order)."""
    if len(duck.results) != len(other.results):
        return [f"{len(duck.results)} queries on DuckDB, {len(other.results)} on the other"]
    problems = []
    for a, b in zip(duck.results, other.results, strict=True):
        for row, col, x, y in differing_cells(a, b, rel=rel)[:5]:
            problems.append(f"{a.sql[:60]}… row {row} {col}: {x!r} vs {y!r}")
    return problems


def planner_mismatch(question: str, answer_duck: Any, answer_other: Any) -> str | None:
    """None when both warehouses' planner answers to `question` have the same rows."""
    from agent.nl2sql.evaluate import results_match

    on_duck, on_other = answer_duck(question), answer_other(question)
    if not on_duck.executed:
        return f"not answered on DuckDB: {on_duck.errors}"
    if not on_other.executed:
        return f"not answered on {on_other.dialect}: {on_other.errors} {on_other.sql}"
    same = results_match(
        [tuple(r) for r in on_duck.rows],
        [tuple(r) for r in on_other.rows],
        ordered="ORDER BY" in on_duck.sql,
    )
    return None if same else f"different rows:\n{on_duck.sql}\n{on_other.sql}"


def experiment_mismatch(
    experiment_id: str, duck_ws: Any, other_ws: Any, *, expected: str | None = None
) -> list[str]:
    """Differences between the two warehouses' analyses: every statement's cells to 1e-9
    (sufficient statistics, health counts, caps), the verdict (and `expected` when given),
    the arms, the health checks and the caps."""
    from tools.experiments.analyze import analyze_experiment
    from tools.warehouse.connection import open_warehouse

    runs = []
    for ws in (duck_ws, other_ws):
        with RecordingWarehouse(open_warehouse(ws.settings.warehouse, ws.root)) as warehouse:
            runs.append((analyze_experiment(ws.catalog, warehouse, experiment_id), warehouse))
    (duck, duck_wh), (other, other_wh) = runs
    problems = stats_differences(duck_wh, other_wh, rel=1e-9)
    if other.verdict.verdict != duck.verdict.verdict or expected not in (
        None,
        duck.verdict.verdict,
    ):
        problems.append(
            f"verdict {other.verdict.verdict} vs {duck.verdict.verdict} on DuckDB "
            f"(expected {expected or 'the same'})"
        )
    if other.arms != duck.arms:
        problems.append(f"arms {other.arms} vs {duck.arms} on DuckDB")
    health = [(h.check, h.status) for h in duck.health]
    if [(h.check, h.status) for h in other.health] != health:
        problems.append(f"health {other.health} vs {duck.health} on DuckDB")
    if [c.metric for c in other.caps] != [c.metric for c in duck.caps] or not all(
        math.isclose(a.value, b.value, rel_tol=1e-9, abs_tol=1e-9)
        for a, b in zip(other.caps, duck.caps, strict=True)
    ):
        problems.append(f"caps {other.caps} vs {duck.caps} on DuckDB")
    return problems
