"""The one place the chat touches the core: open the workspace and its Session, and read
what the status bar and side panel show. Runs in a worker thread after the first paint, so
DuckDB, sqlglot and the embedder are never imported before the window is drawn."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from agent.chat.overview import ColumnInfo, ExperimentInfo, MetricInfo, Overview, TableInfo

if TYPE_CHECKING:
    from agent.assistant.events import AnswerReady, Event
    from agent.workspace import Workspace


class ChatCore(Protocol):
    def answer(self, question: str, history: Sequence[AnswerReady]) -> Iterator[Event]: ...

    def cancel(self) -> None: ...


@dataclass
class Opened:
    workspace: Workspace
    core: ChatCore
    warehouse: str
    model: str
    index: str
    index_missing: bool
    overview: Overview


def open_core(workspace_dir: str | None, *, use_llm: bool | None) -> Opened:
    """Open the workspace and its session; `LablensError` (e.g. no workspace) for people."""
    from agent.workspace import Workspace

    ws = Workspace.open(workspace_dir)
    core = _session(ws, use_llm)
    chunks = index_chunks(ws)
    return Opened(
        workspace=ws,
        core=core,
        warehouse=warehouse_label(ws),
        model=model_label(ws, use_llm),
        index="none" if chunks is None else f"{chunks:,} chunks",
        index_missing=chunks is None,
        overview=overview_of(ws, core),
    )


def _session(ws: Workspace, use_llm: bool | None) -> ChatCore:
    from agent.chat.interim_core import InterimSession

    return InterimSession(ws, use_llm=use_llm)


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


def overview_of(ws: Workspace, core: Any) -> Overview:
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
        from tools.errors import LablensError
        from tools.experiments.source import list_experiments

        try:
            experiments = [
                ExperimentInfo(meta.experiment_id, meta.status or "")
                for meta, _ in list_experiments(catalog, core.warehouse)
            ]
        except LablensError:
            experiments = []  # the panel is a convenience: a broken table must not block chat
    return Overview(tables, metrics, experiments)
