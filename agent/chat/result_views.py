"""Which widget shows a tool result, decided from its `to_dict()` (the stable `--json` shape).

Pure functions over plain dicts, so the renderer does not depend on the core's classes and a
new result type degrades to its text form instead of breaking the UI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["sql", "docs", "experiment", "rows", "text"]


def kind_of(data: Mapping[str, Any]) -> Kind:
    if "verdict" in data and "metrics" in data:
        return "experiment"
    if "hits" in data or ("results" in data and "query" in data):
        return "docs"
    if "sql" in data and ("columns" in data or "rows" in data):
        return "sql"
    if ("columns" in data and "rows" in data) or isinstance(data.get("experiments"), list):
        return "rows"
    return "text"


@dataclass(frozen=True)
class TableData:
    columns: list[str]
    rows: Sequence[Sequence[object]]
    truncated: bool
    row_cap_note: str | None


def table_of(data: Mapping[str, Any]) -> TableData:
    listed = data.get("experiments")
    if isinstance(listed, list) and "rows" not in data:
        # A list of records (e.g. the experiments): the first record's keys are the columns.
        keys = [str(k) for k in listed[0]] if listed else []
        recs = [[r.get(k) for k in keys] for r in listed if isinstance(r, Mapping)]
        return TableData(keys, recs, False, None)
    columns = [str(c) for c in data.get("columns") or []]
    rows = data.get("rows") or []
    truncated = bool(data.get("truncated"))
    note = None
    if truncated:
        note = f"Showing the first {len(rows):,} rows: the warehouse row cap stopped the result."
    return TableData(columns, rows, truncated, note)


@dataclass(frozen=True)
class DocHit:
    path: str
    heading: str
    start_line: int
    end_line: int
    snippet: str
    score: float | None

    def cite(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"


def hits_of(data: Mapping[str, Any]) -> list[DocHit]:
    out = []
    for h in data.get("hits") or data.get("results") or []:
        score = h.get("score")
        out.append(
            DocHit(
                path=str(h.get("path", "")),
                heading=str(h.get("heading") or h.get("title") or ""),
                start_line=int(h.get("start_line") or 0),
                end_line=int(h.get("end_line") or 0),
                snippet=" ".join(str(h.get("snippet") or "").split()),
                score=float(score) if isinstance(score, int | float) else None,
            )
        )
    return out


@dataclass(frozen=True)
class Effect:
    """One metric in one arm, relative effect and CI in percent (None when undefined)."""

    metric: str
    role: str
    variant: str
    control_mean: float | None
    treatment_mean: float | None
    lift_pct: float | None
    ci_low_pct: float | None
    ci_high_pct: float | None
    p_value: float | None
    significant: bool

    @property
    def label(self) -> str:
        return f"{self.metric} ({self.variant})"


def _pct(value: object) -> float | None:
    if not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value) * 100.0


def _num(value: object) -> float | None:
    if not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def effects_of(data: Mapping[str, Any]) -> list[Effect]:
    return [
        Effect(
            metric=str(m.get("metric")),
            role=str(m.get("role", "")),
            variant=str(m.get("variant", "")),
            control_mean=_num(m.get("control_mean")),
            treatment_mean=_num(m.get("treatment_mean")),
            lift_pct=_pct(m.get("rel_effect")),
            ci_low_pct=_pct(m.get("ci_low")),
            ci_high_pct=_pct(m.get("ci_high")),
            p_value=_num(m.get("p_adjusted", m.get("p_value"))),
            significant=bool(m.get("significant")),
        )
        for m in data.get("metrics") or []
    ]


# metric -> arm -> [(iso day, value)]
Daily = dict[str, dict[str, list[tuple[str, float]]]]


def daily_of(data: Mapping[str, Any]) -> Daily:
    """The daily series of an experiment result, when the core included one."""
    out: Daily = {}
    for metric, arms in (data.get("daily") or {}).items():
        out[str(metric)] = {
            str(arm): [(str(d), float(v)) for d, v in points if _num(v) is not None]
            for arm, points in arms.items()
        }
    return out


def fmt_cell(value: object) -> str:
    """A table cell: numbers compact, None as an empty cell, long text cut."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"
