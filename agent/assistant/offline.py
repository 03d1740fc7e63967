"""Run an offline route: call its tools as steps, then write the answer from templates."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

from agent.assistant import compose
from agent.assistant.events import Event, Failed, Source, ToolResult
from agent.assistant.session import finish

if TYPE_CHECKING:
    from agent.assistant.router import Call, Route
    from agent.assistant.session import Session

NO_DOCS_HINT = "Try other words, `lablens search`, or `lablens index` if the docs changed."


def answer_route(
    session: Session, question: str, route: Route, notes: list[str]
) -> Iterator[Event]:
    from agent.assistant.tools.catalog import CatalogResult
    from agent.assistant.tools.docs import DocSearchResult
    from agent.assistant.tools.experiments import (
        ExperimentListResult,
        ExperimentSqlResult,
        ExperimentSummaryResult,
    )
    from agent.assistant.tools.metric_effects import MetricEffectsResult

    notes = [*notes, *route.notes]
    context = {"kind": route.kind, "question": route.question}
    if route.experiment_id:
        context["experiment_id"] = route.experiment_id
    if route.refusal is not None:
        r = route.refusal
        yield Failed(r.title, r.message, r.hint)
        return
    if route.kind in ("data", "maybe_data"):
        yield from _data(session, question, route, notes)
        return
    parts: list[str] = []
    sources: list[Source] = []
    failures: list[str] = []
    for call, result in (yield from _run_calls(session, route)):
        if result is None:
            failures.append(call.tool)
            continue
        if isinstance(result, ExperimentSummaryResult):
            parts.append(compose.experiment_answer(result, focus=route.metrics))
        elif isinstance(result, MetricEffectsResult):
            parts.append(compose.metric_effects_answer(result))
        elif isinstance(result, DocSearchResult):
            if not result.hits or not result.matched_words:
                failures.append(call.tool)
                parts.append("No passage in the indexed docs matches this question.")
                continue
            notes.extend(n for n in result.notes if n not in notes)
            text, cited = compose.docs_answer(route.question, result)
            parts.append(text)
            sources.extend(cited)
        elif isinstance(result, ExperimentListResult):
            parts.append(compose.list_answer(result))
        elif isinstance(result, CatalogResult):
            parts.append(compose.catalog_answer(result))
        elif isinstance(result, ExperimentSqlResult):
            parts.append(compose.experiment_sql_answer(result))
    if len(failures) == len(route.calls):
        yield _failed_from_steps(session, failures)
        return
    yield from finish(question, "\n\n".join(parts), sources=sources, notes=notes, context=context)


def _run_calls(
    session: Session, route: Route
) -> Generator[Event, None, list[tuple[Call, ToolResult | None]]]:
    """The route's calls, run at once when there are several (a mixed question's experiment
    summary and doc search overlap: the embedding runs while the warehouse is read)."""
    from concurrent.futures import ThreadPoolExecutor

    from agent.assistant.events import StepStarted
    from agent.assistant.session import Cancelled

    if session.cancelled:
        raise Cancelled()
    ids = [session.new_step_id() for _ in route.calls]
    for sid, call in zip(ids, route.calls, strict=True):
        yield StepStarted(sid, call.tool, dict(call.args))
    if len(route.calls) == 1:
        done = [session.execute_tool(ids[0], route.calls[0].tool, route.calls[0].args)]
    else:
        with ThreadPoolExecutor(max_workers=len(route.calls)) as pool:
            futures = [
                pool.submit(session.execute_tool, sid, c.tool, c.args)
                for sid, c in zip(ids, route.calls, strict=True)
            ]
            done = [f.result() for f in futures]
    out: list[tuple[Call, ToolResult | None]] = []
    for call, finished in zip(route.calls, done, strict=True):
        yield finished
        out.append((call, finished.result if finished.ok else None))
    return out


def _failed_from_steps(session: Session, failures: list[str]) -> Failed:
    last = session.last_error
    if last is not None:
        return Failed(last[0], last[1])
    return Failed(
        "Nothing found", "No passage in the indexed docs matches this question.", NO_DOCS_HINT
    )


def _data(session: Session, question: str, route: Route, notes: list[str]) -> Iterator[Event]:
    from agent.assistant.router import Call
    from agent.assistant.tools.sql import PlannedSqlResult, SqlRunResult, problems_text

    context = {"kind": "data", "question": route.question}
    planned = yield from session.run_tool("question_to_sql", {"question": route.question})
    if planned is None:
        if route.kind == "maybe_data":
            docs_route = type(route)(
                "docs", route.question, (Call("search_docs", {"query": route.question}),)
            )
            yield from answer_route(session, question, docs_route, notes)
            return
        title, message = session.last_error or ("Cannot answer", "The planner failed.")
        yield Failed(
            title, message, "Rephrase with a metric and a dimension, or use `lablens sql`."
        )
        return
    assert isinstance(planned, PlannedSqlResult)
    if not planned.valid:
        yield Failed(
            "SQL rejected",
            "The SQL planned for this question did not pass the validator:\n"
            + problems_text(planned.problems),
            "Rephrase the question, or write the SQL with `lablens sql --raw`.",
        )
        return
    run = yield from session.run_tool("run_sql", {"sql": planned.sql})
    if run is None:
        title, message = session.last_error or ("Query failed", "The query did not run.")
        yield Failed(title, message)
        return
    assert isinstance(run, SqlRunResult)
    text = compose.data_answer(planned, run)
    yield from finish(question, text, sql=[run.report.sql], notes=notes, context=context)
