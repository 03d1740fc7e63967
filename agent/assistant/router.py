"""The offline router: which tools answer a question, decided from its words and known names.

Pure: the question, the previous exchange and the names (from the catalog and the experiments
table) go in; a `Route` comes out. The session runs it. Order of decisions, first match wins:
refusal → follow-up (a metric after a comparison, a data rewrite) → named experiment (summary
/ SQL / with docs; led by the metrics named) → unknown id (did you mean) → a metric across
experiments (compare, with docs for "why") → experiment list → catalog → data → docs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from agent.assistant.followup import Previous, points_at_experiment, rewrite_followup
from agent.assistant.names import KnownNames, identifiers, words
from agent.assistant.scope import Refusal, refusal_for

Kind = Literal[
    "refuse", "docs", "data", "maybe_data", "experiment", "mixed", "list", "catalog", "compare"
]

_OUTCOME = frozenset(
    [
        "do",
        "did",
        "go",
        "went",
        "result",
        "results",
        "verdict",
        "ship",
        "shipped",
        "shipping",
        "win",
        "won",
        "work",
        "worked",
        "perform",
        "performed",
        "effect",
        "effects",
        "impact",
        "lift",
        "happen",
        "happened",
        "summarize",
        "summarise",
        "summary",
        "outcome",
        "invalid",
        "inconclusive",
        "tradeoff",
        "analysis",
        "analyse",
        "analyze",
        "numbers",
    ]
)
_DOC = frozenset(
    [
        "why",
        "doc",
        "docs",
        "document",
        "design",
        "guideline",
        "guidelines",
        "policy",
        "proposal",
        "mean",
        "means",
        "meaning",
        "trained",
        "training",
        "risk",
        "risks",
        "cost",
        "costs",
        "latency",
        "hypothesis",
        "hypotheses",
        "say",
        "says",
        "explain",
        "rationale",
        "context",
        "background",
        "motivation",
    ]
)
_SQL = frozenset(["sql", "query", "queries", "statement", "statements"])
_EXPERIMENTS = frozenset(["experiments", "experiment", "tests", "test"])
# What a metric did in an experiment: "which experiments hurt saves and why?" asks for both
# the analyses and the docs; "our guardrail policy for experiments" only for the docs.
_MOVED = frozenset(
    [
        "improve",
        "improved",
        "improves",
        "hurt",
        "hurts",
        "regress",
        "regressed",
        "moved",
        "move",
        "lift",
        "lifted",
        "raise",
        "raised",
        "lower",
        "lowered",
        "increase",
        "increased",
        "decrease",
        "decreased",
        "change",
        "changed",
        "affect",
        "affected",
        "help",
        "helped",
        "drop",
        "dropped",
    ]
)
_CATALOG = frozenset(["table", "tables", "column", "columns", "schema", "schemas", "catalog"])
_STRONG_DATA = re.compile(
    r"\b(total|sum|count|how many|number of|average|avg|mean|daily|weekly|top \d+|per day|"
    r"by day|by week|median|maximum|minimum)\b",
    re.I,
)
_DOC_OPENER = re.compile(
    r"^(how (does|do|is|are|was|were|should|can|often)|why|what (is|are|was|were|does|do|did|"
    r"should|happened)|what's|explain|describe how|when (do|does|should)|who)\b",
    re.I,
)


@dataclass(frozen=True)
class Call:
    tool: str
    args: dict[str, object]


@dataclass(frozen=True)
class Route:
    kind: Kind
    question: str  # the question as answered (a follow-up is rewritten in full)
    calls: tuple[Call, ...] = ()
    experiment_id: str | None = None
    refusal: Refusal | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Catalog metrics the question names: an experiment answer leads with their effects.
    metrics: tuple[str, ...] = ()


def route_question(
    question: str,
    names: KnownNames,
    previous: Previous | None = None,
    *,
    mentioned_in_docs: Callable[[str], bool] = lambda _: False,
) -> Route:
    refusal = refusal_for(question)
    if refusal is not None:
        return Route("refuse", question, refusal=refusal)
    notes: list[str] = []
    metrics = tuple(names.metrics_in(question))
    if previous is not None and previous.kind == "compare" and metrics and _short(question):
        # "and hide rate?" after "which experiments improved saves?": the same, on hide rate
        notes.append(f"Read as a follow-up of “{previous.question}”, on {', '.join(metrics)}.")
        call = Call("compare_experiments", {"metric": ", ".join(metrics)})
        return Route("compare", question, (call,), metrics=metrics, notes=tuple(notes))
    rewritten = rewrite_followup(question, previous)
    if rewritten is not None and previous is not None:
        notes.append(f"Read as a follow-up of “{previous.question}”: “{rewritten}”.")
        return _data_route(rewritten, notes, strong=True)
    tokens = set(words(question))
    named = names.find_experiment(question)
    experiment = named or points_at_experiment(question, previous)
    if experiment is not None:
        route = _experiment_route(question, experiment, tokens, notes, pointed=named is None)
        return replace(route, metrics=metrics)
    unknown = _unknown_name(question, names, mentioned_in_docs)
    if unknown is not None:
        return unknown
    counts_experiments = re.search(r"\bhow many (experiments|tests)\b", question, re.I)
    if (
        metrics
        and tokens & _EXPERIMENTS
        and not tokens & (_CATALOG | _SQL)
        and (counts_experiments or not _STRONG_DATA.search(question))
        and (not tokens & _DOC or tokens & _MOVED)
    ):  # "which experiments improved saves?": every experiment's analysis of that metric
        calls = [Call("compare_experiments", {"metric": ", ".join(metrics)})]
        if tokens & _DOC:  # "... and why?": the reports say why
            calls.append(Call("search_docs", {"query": question}))
        return Route("compare", question, tuple(calls), metrics=metrics)
    listing = not tokens & (_CATALOG | _DOC) and not _STRONG_DATA.search(question)
    if "experiments" in tokens and listing:  # "our policy for experiments" is the docs'
        return Route("list", question, (Call("list_experiments", {}),))
    asks_why = re.match(r"^(why|how)\b", question.strip(), re.I) is not None
    if (tokens & _CATALOG or ("metrics" in tokens and "defined" in tokens)) and not asks_why:
        table = names.table_in(question)
        args: dict[str, object] = {"table": table} if table else {}
        return Route("catalog", question, (Call("describe_catalog", args),))
    strong = bool(_STRONG_DATA.search(question)) or _groups_by_dimension(question, names)
    if _DOC_OPENER.match(question.strip()):
        if asks_why or not strong:
            return _docs_route(question, notes)
        strong = False  # "what is the total …": try the planner, else the docs
    return _data_route(question, notes, strong=strong)


def _experiment_route(
    question: str, experiment: str, tokens: set[str], notes: list[str], *, pointed: bool
) -> Route:
    args: dict[str, object] = {"experiment_id": experiment}
    if tokens & _SQL:
        return Route("experiment", question, (Call("experiment_sql", args),), experiment)
    outcome = bool(tokens & _OUTCOME)
    docs = bool(tokens & _DOC)
    # "its risk" names no experiment: the search needs the id; a name in the question is enough.
    query = f"{question} {experiment}" if pointed else question
    if outcome and docs:
        calls = (Call("summarize_experiment", args), Call("search_docs", {"query": query}))
        return Route("mixed", question, calls, experiment, notes=tuple(notes))
    if outcome or not _DOC_OPENER.match(question.strip()):
        return Route("experiment", question, (Call("summarize_experiment", args),), experiment)
    return Route("docs", question, (Call("search_docs", {"query": query}),), experiment)


def _short(question: str) -> bool:
    return len(re.findall(r"\w+", question)) <= 5  # "and hide rate?", "what about ctr?"


def _unknown_name(
    question: str, names: KnownNames, mentioned_in_docs: Callable[[str], bool]
) -> Route | None:
    from tools.did_you_mean import closest, did_you_mean_text

    for token in names.unknown_identifiers(question):
        tables = closest(token, names.tables, cutoff=0.8)
        if tables:
            return Route("catalog", question, (Call("describe_catalog", {"table": token}),))
        if mentioned_in_docs(token):
            # A past experiment or a system the docs describe: the reports answer it.
            return _docs_route(question, [])
        near = closest(token, names.experiment_ids, cutoff=0.8)
        if near:
            return Route(
                "refuse",
                question,
                refusal=Refusal(
                    "Unknown experiment",
                    f"There is no experiment `{token}` in the experiments table.",
                    f"{did_you_mean_text(near)} See `lablens experiment list`.",
                ),
            )
    return None


def _groups_by_dimension(question: str, names: KnownNames) -> bool:
    m = re.search(r"\b(?:by|per)\s+([a-z_]+)", question.lower())
    return bool(m and m.group(1) in names.dimensions)


def _docs_route(question: str, notes: list[str]) -> Route:
    return Route("docs", question, (Call("search_docs", {"query": question}),), notes=tuple(notes))


def _data_route(question: str, notes: list[str], *, strong: bool) -> Route:
    return Route(
        "data" if strong else "maybe_data",
        question,
        (Call("question_to_sql", {"question": question}),),
        notes=tuple(notes),
    )


__all__ = ["Call", "Previous", "Route", "identifiers", "route_question"]
