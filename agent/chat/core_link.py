"""The one place the chat touches the core: open the workspace and its Session, and read
what the status bar and side panel show. Runs in a worker thread after the first paint, so
DuckDB, sqlglot and the embedder are never imported before the window is drawn."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from agent.chat.overview import ColumnInfo, ExperimentInfo, MetricInfo, Overview, TableInfo

if TYPE_CHECKING:
    from agent.assistant.conversation import Turn
    from agent.assistant.events import Event
    from agent.assistant.history import History
    from agent.assistant.session import Session
    from agent.workspace import Workspace


class ChatCore(Protocol):
    def answer(self, question: str, history: Sequence[Turn]) -> Iterator[Event]: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...


class SessionLink:
    """The chat's handle on `agent.assistant.Session`: answers, forced tool steps for the
    slash commands, cancel, and the history store."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def answer(self, question: str, history: Sequence[Turn]) -> Iterator[Event]:
        return self.session.answer(question, history)

    def run_step(self, tool: str, args: dict[str, object], shown: str) -> Iterator[Event]:
        """One tool as the whole answer (`/sql`, `/docs`, `/exp`): its step, then its summary."""
        from agent.assistant.events import AnswerReady, Failed, Source, StepStarted

        sid = self.session.new_step_id()
        yield StepStarted(sid, tool, dict(args))
        finished = self.session.execute_tool(sid, tool, args)
        yield finished
        if not finished.ok:
            yield Failed(finished.summary, finished.error or finished.summary, None)
            return
        from agent.assistant.tools.sql import PlannedSqlResult, SqlRunResult

        checked = finished.result
        if isinstance(checked, PlannedSqlResult | SqlRunResult) and not checked.valid:
            problems = checked.problems  # `Problem`s, as the validator wrote them
            message = "; ".join(p.message for p in problems) or finished.summary
            hint = next((p.hint for p in problems if p.hint), None)
            yield Failed("SQL rejected: nothing ran", message, hint)
            return
        data = finished.result.to_dict() if finished.result is not None else {}
        sql = tuple(str(s) for s in ([data["sql"]] if isinstance(data.get("sql"), str) else []))
        sources = tuple(
            Source(
                str(h["path"]),
                str(h.get("heading") or ""),
                int(h["start_line"]),
                int(h["end_line"]),
            )
            for h in data.get("results") or []  # type: ignore[attr-defined]
            if isinstance(h, dict)
        )
        yield AnswerReady(shown, f"{finished.summary}.", "offline", True, sources, sql)

    def cancel(self) -> None:
        """No new step or model turn, and the running query cancelled (Session.cancel)."""
        self.session.cancel()

    def close(self) -> None:
        self.session.close()


@dataclass
class Opened:
    workspace: Workspace
    core: SessionLink
    history: History
    warehouse: str
    model: str
    index: str
    index_missing: bool
    overview: Overview


def open_core(workspace_dir: str | None, *, use_llm: bool | None) -> Opened:
    """Open the workspace and its session; `LablensError` (e.g. no workspace) for people."""
    from agent.assistant.history import History
    from agent.workspace import Workspace

    ws = Workspace.open(workspace_dir)
    core = _session(ws, use_llm)
    key = ws.settings.llm.api_key
    history = History.in_state_dir(ws.state_dir, secrets=[key.get_secret_value() if key else None])
    chunks = index_chunks(ws)
    return Opened(
        workspace=ws,
        core=core,
        history=history,
        warehouse=warehouse_label(ws),
        model=model_label(ws, use_llm),
        index="none" if chunks is None else f"{chunks:,} chunks",
        index_missing=chunks is None,
        overview=overview_of(ws, core),
    )


def _session(ws: Workspace, use_llm: bool | None) -> SessionLink:
    from agent.assistant.session import Session

    return SessionLink(Session(ws, use_llm=use_llm, daily_series=True))  # charts by day


def warehouse_label(ws: Workspace) -> str:
    w = ws.settings.warehouse
    if w.url:
        # Only the host part: a URL may carry a password before the `@`.
        return f"{w.dialect} {str(w.url).split('@')[-1]}"
    return f"duckdb {w.path}"


def model_label(ws: Workspace, use_llm: bool | None) -> str:
    llm = ws.settings.llm
    on = llm.configured if use_llm is None else use_llm
    return llm.model if on else "offline"


def index_chunks(ws: Workspace) -> int | None:
    """Chunks in the doc index, or None when there is no index yet."""
    import sqlite3

    from indexes.state_db import DB_FILE

    path = ws.root / ".lablens" / DB_FILE
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            n = int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return n or None


def overview_of(ws: Workspace, core: SessionLink) -> Overview:
    catalog = ws.catalog
    tables = [
        TableInfo(
            t.name,
            t.description,
            tuple(ColumnInfo(c.name, c.type, c.description) for c in t.columns),
        )
        for t in catalog.tables
    ]
    metrics = [MetricInfo(m.name, m.description) for m in catalog.metrics]
    experiments: list[ExperimentInfo] = []
    if catalog.experiments is not None:
        # Through the session like any step; a failure leaves the panel's list empty.
        step = core.session.execute_tool(core.session.new_step_id(), "list_experiments", {})
        if step.ok and step.result is not None:
            rows = step.result.to_dict().get("experiments") or []
            experiments = [
                ExperimentInfo(str(r["experiment_id"]), str(r.get("status") or ""))
                for r in rows  # type: ignore[attr-defined]
            ]
    return Overview(tables, metrics, experiments)
