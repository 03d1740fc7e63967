"""A stand-in for `agent.assistant.Session` until the agent core lands: the same events from
the existing tools, so the UI is built against the real event contract. Deleted when the
Session exists (the UI only sees `answer(question, history) -> Iterator[Event]`, `cancel()`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.assistant.events import (
    AnswerReady,
    Event,
    Failed,
    Source,
    StepFinished,
    StepStarted,
    TextDelta,
)
from tools.errors import LablensError

if TYPE_CHECKING:
    from agent.workspace import Workspace
    from tools.warehouse.connection import Warehouse

_SQL_START = re.compile(r"^\s*(select|with)\b", re.I)
_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|now|only|same|but)\b", re.I)
_DATA_WORDS = re.compile(
    r"\b(how many|count|per|by|daily|weekly|total|average|avg|sum|top|last \d+|trend|"
    r"number of|rate|share)\b",
    re.I,
)


@dataclass(frozen=True)
class DocSearchResult:
    query: str
    hits: list[dict[str, Any]]

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "hits": self.hits}

    def to_text(self) -> str:
        return "\n".join(
            f"{h['path']}:{h['start_line']}-{h['end_line']} {h['heading']}: {h['snippet']}"
            for h in self.hits
        )


@dataclass(frozen=True)
class DictResult:
    data: dict[str, Any]
    text: str

    def to_dict(self) -> dict[str, object]:
        return dict(self.data)

    def to_text(self) -> str:
        return self.text


class InterimSession:
    def __init__(self, workspace: Workspace, *, use_llm: bool | None = None) -> None:
        self.workspace = workspace
        self.use_llm = use_llm
        self._warehouse: Warehouse | None = None
        self._experiment_ids: list[str] | None = None
        self._cancelled = threading.Event()

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            from tools.warehouse.connection import open_warehouse

            self._warehouse = open_warehouse(self.workspace.settings.warehouse, self.workspace.root)
        return self._warehouse

    def cancel(self) -> None:
        self._cancelled.set()
        cancel = getattr(self._warehouse, "cancel", None)
        if callable(cancel):
            cancel()

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()

    def experiment_ids(self) -> list[str]:
        if self._experiment_ids is None:
            from tools.experiments.source import list_experiments

            rows = list_experiments(self.workspace.catalog, self.warehouse)
            self._experiment_ids = [m.experiment_id for m, _ in rows]
        return self._experiment_ids

    def answer(self, question: str, history: Sequence[AnswerReady] = ()) -> Iterator[Event]:
        self._cancelled.clear()
        asked = question
        if history and _FOLLOW_UP.match(question):
            asked = f"{history[-1].question} {question}"
        try:
            route, argument = self._route(asked)
            if route == "experiment":
                yield from self._experiment(question, argument)
            elif route == "docs":
                yield from self._docs(question, argument)
            else:
                yield from self._sql(question, argument)
        except LablensError as exc:
            yield Failed(exc.title, exc.message, exc.hint)

    def _route(self, question: str) -> tuple[str, str]:
        for prefix in ("sql", "docs", "exp"):
            if question.startswith(f"/{prefix} "):
                body = question[len(prefix) + 2 :].strip()
                return {"exp": "experiment"}.get(prefix, prefix), body
        lowered = question.lower()
        for eid in self.experiment_ids():
            if eid.lower() in lowered:
                return "experiment", eid
        if _SQL_START.match(question) or _DATA_WORDS.search(question):
            return "sql", question
        return "docs", question

    def _stream(self, text: str) -> Iterator[TextDelta]:
        for piece in re.findall(r"\S+\s*", text):
            if self._cancelled.is_set():
                return
            yield TextDelta(piece)

    def _docs(self, question: str, query: str) -> Iterator[Event]:
        from indexes.search import search_index

        step = {"query": query}
        yield StepStarted("s1", "search_docs", step)
        start = time.perf_counter()
        hits = search_index(
            query, self.workspace.state_dir, k=5, embedder=self.workspace.embedder_spec()
        )
        result = DocSearchResult(query, [h.to_dict() for h in hits])
        yield StepFinished(
            "s1",
            "search_docs",
            step,
            True,
            f"{len(hits)} passages",
            result,
            None,
            (time.perf_counter() - start) * 1000,
        )
        sources = tuple(Source(h.path, h.heading, h.start_line, h.end_line) for h in hits[:3])
        if not hits:
            text = "I found nothing in the indexed docs for that."
        else:
            best = hits[0]
            text = (
                f"**{best.heading or best.title}** "
                f"(`{best.path}:{best.start_line}-{best.end_line}`)"
                f"\n\n> {' '.join(best.snippet.split())}\n\n"
                + "".join(f"- `{s.cite()}` {s.heading}\n" for s in sources[1:])
            )
        yield from self._stream(text)
        yield AnswerReady(question, text, "offline", True, sources)

    def _sql(self, question: str, text_in: str) -> Iterator[Event]:
        step = {"question": text_in}
        yield StepStarted("s1", "run_sql", step)
        start = time.perf_counter()
        if _SQL_START.match(text_in):
            from tools.warehouse.run import run_validated

            report, res = run_validated(text_in, self.workspace.catalog, self.warehouse)
            data: dict[str, Any] = {
                "sql": report.sql,
                "valid": report.valid,
                "errors": [p.to_dict() for p in report.errors],
            }
            if res is not None:
                data.update(res.to_dict())
            explanation, notes = "Your SQL, validated and run read-only.", []
        else:
            from agent.nl2sql.answer import answer_question_text

            ans = answer_question_text(self.workspace, self.warehouse, use_llm=self.use_llm)(
                text_in
            )
            data = ans.to_dict()
            explanation, notes = ans.explanation, list(ans.notes)
        elapsed = (time.perf_counter() - start) * 1000
        ok = bool(data.get("valid"))
        summary = f"{len(data.get('rows') or []):,} rows" if ok else "SQL rejected"
        error = None if ok else "; ".join(str(e.get("message")) for e in data.get("errors") or [])
        yield StepFinished(
            "s1", "run_sql", step, ok, summary, DictResult(data, summary), error, elapsed
        )
        if not ok:
            yield Failed(
                "No valid SQL for that question",
                error or "The planner could not map it.",
                "Name a metric and a dimension, e.g. 'saves per user by country'.",
            )
            return
        text = f"{explanation}\n\n{summary}." if explanation else summary
        yield from self._stream(text)
        yield AnswerReady(question, text, "offline", True, (), (str(data["sql"]),), tuple(notes))

    def _experiment(self, question: str, experiment_id: str) -> Iterator[Event]:
        from tools.experiments.analyze import analyze_experiment

        step = {"experiment_id": experiment_id}
        yield StepStarted("s1", "summarize_experiment", step)
        start = time.perf_counter()
        catalog = self.workspace.catalog
        analysis = analyze_experiment(catalog, self.warehouse, experiment_id)
        data = analysis.to_dict()
        data["daily"] = self._daily(analysis)
        v = analysis.verdict
        yield StepFinished(
            "s1",
            "summarize_experiment",
            step,
            True,
            f"verdict {v.verdict}",
            DictResult(data, v.verdict),
            None,
            (time.perf_counter() - start) * 1000,
        )
        text = f"**Verdict: {v.verdict}**\n\n" + "".join(f"- {r}\n" for r in v.reasons)
        yield from self._stream(text)
        yield AnswerReady(question, text, "offline", True, (), tuple(analysis.sql))

    def _daily(self, analysis: Any) -> dict[str, dict[str, list[tuple[str, float]]]]:
        from tools.experiments.daily import fetch_daily

        catalog = self.workspace.catalog
        metric = catalog.metric(analysis.meta.primary_metric)
        if metric is None:
            return {}
        series = fetch_daily(catalog, self.warehouse, analysis.meta.window(0), [metric])
        return {
            m: {a: [(d.isoformat(), v) for d, v in pts] for a, pts in arms.items()}
            for m, arms in series.items()
        }
