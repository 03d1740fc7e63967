"""One tool step as a collapsible block: a spinner line while it runs, then the body its
result calls for (SQL + rows, doc hits, an experiment, or the result's text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.markup import escape
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from agent.assistant.events import StepFinished, StepStarted
from agent.chat.result_views import hits_of, kind_of, table_of

TOOL_LABELS = {
    "search_docs": "doc search",
    "run_sql": "SQL",
    "question_to_sql": "question → SQL",
    "summarize_experiment": "experiment",
    "list_experiments": "experiments",
    "describe_catalog": "catalog",
    "experiment_sql": "experiment SQL",
}


def _input_text(data: Mapping[str, object]) -> str:
    text = " ".join(f"{v}" for v in data.values() if isinstance(v, str | int | float))
    return text if len(text) <= 70 else text[:69] + "…"


def body_widgets(data: Mapping[str, Any], text: str) -> list[Widget]:
    """The widgets for one result dict (pure choice, see `result_views.kind_of`)."""
    # Imported on first result, not at start-up: plotext and Pygments cost first-paint time.
    from agent.chat.doc_hits import DocHits
    from agent.chat.experiment_view import ExperimentView
    from agent.chat.result_table import ResultTable
    from agent.chat.sql_view import SqlView

    kind = kind_of(data)
    out: list[Widget] = []
    if kind == "docs":
        out.append(DocHits(hits_of(data)))
    elif kind == "experiment":
        out.append(ExperimentView(data))
        sql = data.get("sql") or []
        if isinstance(sql, list) and sql:
            # The analysis SQL is long: folded under the numbers it produced, one key away.
            text = ";\n\n".join(str(s) for s in sql)
            out.append(
                Collapsible(
                    SqlView(text),
                    title=f"SQL behind these numbers ({len(sql)} statement(s))",
                    collapsed=True,
                    classes="experiment-sql",
                )
            )
    elif kind in ("sql", "rows"):
        if data.get("sql"):
            out.append(SqlView(str(data["sql"]), dialect=str(data.get("dialect") or "duckdb")))
        for problem in data.get("errors") or []:
            hint = problem.get("hint") if isinstance(problem, Mapping) else None
            msg = problem.get("message") if isinstance(problem, Mapping) else problem
            out.append(
                Static(
                    f"[red]✗ {escape(str(msg))}[/]"
                    + (f"\n  [i]{escape(str(hint))}[/]" if hint else ""),
                    classes="problem",
                )
            )
        table = table_of(data)
        if table.columns:
            out.append(ResultTable(table.columns, table.rows))
            count = f"{len(table.rows):,} rows"
            out.append(
                Static(
                    f"[dim]{count}{' · ' + table.row_cap_note if table.row_cap_note else ''}[/]",
                    classes="row-note",
                )
            )
    else:
        out.append(Static(escape(text[:4000]), classes="step-text"))
    return out


class StepBlock(Collapsible):
    DEFAULT_CSS = """
    StepBlock { height: auto; margin: 0 0 0 0; padding: 0; border: none; }
    """

    def __init__(self, started: StepStarted) -> None:
        self.step_id = started.step_id
        self.tool = started.tool
        label = TOOL_LABELS.get(started.tool, started.tool)
        self.label = label
        super().__init__(
            Static("[dim]running…[/]", classes="step-running"),
            title=f"⋯ {label}: {_input_text(started.input)}",
            collapsed=False,
            classes="step running",
        )

    def finish(self, event: StepFinished) -> None:
        self.remove_class("running")
        data = event.result.to_dict() if event.result is not None else {}
        # A validator rejection is a tool that ran fine but a step that did not succeed.
        ok = event.ok and data.get("valid") is not False
        mark = "✓" if ok else "✗"
        self.add_class("ok" if ok else "failed")
        show = getattr(self.app, "show_timings", True)
        secs = f" · {event.elapsed_ms / 1000:.1f}s" if event.elapsed_ms and show else ""
        self.title = f"{mark} {self.label}: {event.summary}{secs}"
        contents = self.query_one(Collapsible.Contents)
        contents.remove_children()
        widgets: list[Widget] = []
        if event.result is not None:
            widgets = body_widgets(data, event.result.to_text())
        if event.error:
            widgets.append(Static(f"[red]{escape(event.error)}[/]", classes="step-error"))
        if not widgets:
            widgets.append(Static("[dim](no output)[/]"))
        contents.mount_all(widgets)

    def cancel(self) -> None:
        self.remove_class("running")
        self.add_class("failed")
        self.title = f"■ {self.label}: cancelled"
        self.query_one(Collapsible.Contents).remove_children()
