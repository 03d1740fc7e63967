"""The agent's tools: a registry of name -> JSON-schema input -> one typed result.

Each result has `to_dict()` (the matching CLI command's `--json`), `to_text()` (what the model
reads) and `summary()` (one line for a step). The CLI commands call the same functions, so a
tool and its command cannot drift apart. Descriptions live in `prompts/agent_tools.md`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from tools.errors import InputError

if TYPE_CHECKING:
    from agent.assistant.resources import Resources
    from agent.assistant.tools.experiments import ExperimentSummaryResult
    from agent.llm.model import ToolSpec

JsonSchema = dict[str, object]


class AgentResult(Protocol):
    def to_dict(self) -> dict[str, object]: ...

    def to_text(self) -> str: ...

    def summary(self) -> str: ...


@dataclass(frozen=True)
class Tool:
    name: str
    parameters: JsonSchema
    run: Callable[[Resources, Mapping[str, object]], AgentResult]

    @property
    def description(self) -> str:
        return tool_descriptions()[self.name]

    def spec(self) -> ToolSpec:
        from agent.llm.model import ToolSpec

        return ToolSpec(self.name, self.description, dict(self.parameters))


def _schema(required: list[str], **properties: dict[str, object]) -> JsonSchema:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _search_docs(res: Resources, args: Mapping[str, object]) -> AgentResult:
    """Hybrid search; keyword-only, said so, when the index was built by another embedder
    (an answer from the words beats no answer; `lablens search` reports the mismatch)."""
    from dataclasses import replace

    from agent.assistant.tools.docs import index_embedder, search_docs

    ws = res.workspace
    built_with = index_embedder(ws.state_dir)
    embedder = res.embedder
    lexical = built_with is not None and built_with != embedder.identity
    result = search_docs(
        str(args["query"]),
        ws.state_dir,
        k=int(str(args.get("k", 5))),
        chroma_url=ws.settings.docs.chroma_url,
        embedder=embedder,
        mode="lexical" if lexical else "hybrid",
    )
    if lexical:
        note = (
            f"The doc index was built with `{built_with}`, not the configured "
            f"`{embedder.identity}`: keyword search only (run `lablens index` to rebuild it)."
        )
        result = replace(result, notes=(note, *result.notes))
    return result


def _describe_catalog(res: Resources, args: Mapping[str, object]) -> AgentResult:
    from agent.assistant.tools.catalog import describe_catalog

    table = args.get("table")
    return describe_catalog(res.catalog, str(table) if table else None)


def _question_to_sql(res: Resources, args: Mapping[str, object]) -> AgentResult:
    from agent.assistant.tools.sql import question_to_sql

    answerer = res.question_answerer
    with res.warehouse_lock:
        return question_to_sql(answerer, str(args["question"]))


def _run_sql(res: Resources, args: Mapping[str, object]) -> AgentResult:
    from agent.assistant.tools.sql import run_sql

    with res.warehouse_lock:
        return run_sql(
            str(args["sql"]), res.catalog, res.warehouse, default_limit=res.default_limit
        )


def _list_experiments(res: Resources, args: Mapping[str, object]) -> AgentResult:
    return res.experiments()


def _summary(res: Resources, experiment_id: str) -> ExperimentSummaryResult:
    from agent.assistant.tools.experiments import summarize_experiment
    from tools.experiments.result_cache import FOLDER

    with res.warehouse_lock:
        return summarize_experiment(
            res.catalog,
            res.warehouse,
            experiment_id,
            cache_dir=res.workspace.state_dir / FOLDER,
            daily=res.daily_series,
        )


def _summarize_experiment(res: Resources, args: Mapping[str, object]) -> AgentResult:
    return _summary(res, str(args["experiment_id"]))


def _compare_experiments(res: Resources, args: Mapping[str, object]) -> AgentResult:
    from agent.assistant.tools.metric_effects import compare_experiments
    from tools.experiments.result_cache import FOLDER

    ids = res.experiments().ids
    with res.warehouse_lock:
        return compare_experiments(
            res.catalog,
            res.warehouse,
            str(args["metric"]),
            ids,
            cache_dir=res.workspace.state_dir / FOLDER,
        )


def _experiment_sql(res: Resources, args: Mapping[str, object]) -> AgentResult:
    from agent.assistant.tools.experiments import experiment_sql
    from tools.experiments.result_cache import FOLDER

    with res.warehouse_lock:
        return experiment_sql(
            res.catalog,
            res.warehouse,
            str(args["experiment_id"]),
            cache_dir=res.workspace.state_dir / FOLDER,
        )


_STR: dict[str, object] = {"type": "string", "minLength": 1, "maxLength": 4000}
TOOLS: tuple[Tool, ...] = (
    Tool(
        "search_docs",
        _schema(
            ["query"],
            query={**_STR, "description": "what to look for, in plain words"},
            k={"type": "integer", "minimum": 1, "maximum": 10, "description": "passages (5)"},
        ),
        _search_docs,
    ),
    Tool(
        "describe_catalog",
        _schema([], table={**_STR, "description": "one table to show in detail"}),
        _describe_catalog,
    ),
    Tool(
        "question_to_sql",
        _schema(["question"], question={**_STR, "description": "the data question"}),
        _question_to_sql,
    ),
    Tool(
        "run_sql",
        _schema(["sql"], sql={**_STR, "maxLength": 20000, "description": "one read-only query"}),
        _run_sql,
    ),
    Tool("list_experiments", _schema([]), _list_experiments),
    Tool(
        "summarize_experiment",
        _schema(["experiment_id"], experiment_id={**_STR, "description": "experiment id"}),
        _summarize_experiment,
    ),
    Tool(
        "compare_experiments",
        _schema(
            ["metric"],
            metric={**_STR, "description": "metric names (comma-separated) or words ('saves')"},
        ),
        _compare_experiments,
    ),
    Tool(
        "experiment_sql",
        _schema(["experiment_id"], experiment_id={**_STR, "description": "experiment id"}),
        _experiment_sql,
    ),
)
TOOLS_BY_NAME = {t.name: t for t in TOOLS}


def get_tool(name: str) -> Tool:
    """The tool called `name`; an unknown name is an InputError listing the real ones."""
    from tools.did_you_mean import did_you_mean

    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        hint = did_you_mean(name, TOOLS_BY_NAME) or ""
        raise InputError(
            f"There is no tool named {name!r}.",
            hint=f"{hint} Tools: {', '.join(TOOLS_BY_NAME)}.".strip(),
        )
    return tool


def check_arguments(tool: Tool, args: object) -> dict[str, object]:
    """`args` checked against the tool's JSON schema; a mismatch is an InputError saying why."""
    from agent.assistant.tools.arguments import schema_problem

    problem = schema_problem(tool.parameters, args)
    if problem is not None or not isinstance(args, dict):
        raise InputError(
            f"Bad arguments for {tool.name}: {problem or 'not a JSON object'}.",
            hint=f"The schema is {tool.parameters}.",
        )
    return dict(args)


@cache
def tool_descriptions() -> dict[str, str]:
    from prompts import load_prompt

    text = re.sub(r"<!--.*?-->", "", load_prompt("agent_tools"), flags=re.DOTALL)
    out: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        name, _, body = block.partition("\n")
        out[name.strip()] = " ".join(body.split())
    return out
