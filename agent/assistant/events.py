"""What `Session.answer` yields: frozen events that the CLI, the chat UI and scripts render.

The core never prints and never draws. A renderer reads these events in order:

    StepStarted → StepFinished   once per tool call (several may interleave with parallel calls)
    TextDelta*                   the answer text as it is written (streamed with an LLM)
    AnswerReady | Failed         exactly one of them, last

`StepFinished.result` is the tool's typed result (it has `to_dict()` and `to_text()`);
renderers pick widgets by its type, all in `agent.assistant.tools`:

    search_docs           docs.DocSearchResult            .hits (indexes.search.Hit), .sources
    describe_catalog      catalog.CatalogResult           .tables, .catalog
    question_to_sql       sql.PlannedSqlResult            .sql, .valid, .problems, .answer
    run_sql               sql.SqlRunResult                .report (validation), .result (rows)
    list_experiments      experiments.ExperimentListResult    .experiments (dicts)
    summarize_experiment  experiments.ExperimentSummaryResult .analysis, .verdict
    experiment_sql        experiments.ExperimentSqlResult     .statements
`AnswerReady.text` is authoritative: with an LLM it may differ from the streamed deltas when the
grounding check repaired the answer or marked unverified parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Mode = Literal["offline", "llm"]


@runtime_checkable
class ToolResult(Protocol):
    """One typed result per tool: `to_dict()` is the `--json` shape, `to_text()` the model's."""

    def to_dict(self) -> dict[str, object]: ...

    def to_text(self) -> str: ...


@dataclass(frozen=True)
class Source:
    """A cited passage: `path:start_line-end_line` opens exactly the lines that were quoted."""

    path: str
    heading: str
    start_line: int
    end_line: int

    def cite(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "heading": self.heading,
            "start_line": self.start_line,
            "end_line": self.end_line,
        }


@dataclass(frozen=True)
class StepStarted:
    step_id: str
    tool: str
    input: Mapping[str, object]


@dataclass(frozen=True)
class StepFinished:
    step_id: str
    tool: str
    input: Mapping[str, object]
    ok: bool
    summary: str
    result: ToolResult | None = None
    error: str | None = None
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class AnswerReady:
    """The final answer: its full text, where it came from, and whether it was verified."""

    question: str
    text: str
    mode: Mode
    grounded: bool
    sources: tuple[Source, ...] = ()
    sql: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    # What a follow-up needs: kind (the route), question (as answered), experiment_id.
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    """Nothing could be answered: a short title, a message and a hint (never a traceback)."""

    title: str
    message: str
    hint: str | None = None


Event = StepStarted | StepFinished | TextDelta | AnswerReady | Failed
