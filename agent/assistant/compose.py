"""Offline answer templates: extractive doc answers, SQL with its table, verdict with numbers.

Every sentence is either copied from a tool result or a fixed template filled with figures from
one, so an offline answer is grounded by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from agent.assistant.events import Source
from agent.assistant.extract import best_sentences
from agent.assistant.tools.sql import format_value

if TYPE_CHECKING:
    from agent.assistant.tools.catalog import CatalogResult
    from agent.assistant.tools.docs import DocSearchResult
    from agent.assistant.tools.experiments import (
        ExperimentListResult,
        ExperimentSqlResult,
        ExperimentSummaryResult,
    )
    from agent.assistant.tools.metric_effects import MetricEffectsResult
    from agent.assistant.tools.sql import PlannedSqlResult, SqlRunResult
    from tools.experiments.results import ExperimentAnalysis

TABLE_ROWS = 20  # rows in an answer's table; --json and the chat UI carry every fetched row


def docs_answer(question: str, docs: DocSearchResult) -> tuple[str, tuple[Source, ...]]:
    """The best sentence of each top passage with its lines; a passage with no prose (a table,
    code) is cited by its heading so that the reader can open it."""
    from indexes.lexical import query_terms

    picked = {
        s.source.path + str(s.source.start_line): s
        for s in best_sentences(question, docs.hits, query_terms(question))
    }
    lines: list[str] = []
    sources: list[Source] = []
    for hit in docs.hits[:3]:
        sentence = next(
            (
                s
                for s in picked.values()
                if s.source.path == hit.path
                and hit.start_line <= s.source.start_line <= hit.end_line
            ),
            None,
        )
        if sentence is not None:
            lines.append(f"- {sentence.text} (`{sentence.source.cite()}`)")
            sources.append(sentence.source)
        else:
            source = Source(hit.path, hit.heading, hit.start_line, hit.end_line)
            lines.append(f"- See “{hit.heading or hit.title}” (`{source.cite()}`)")
            sources.append(source)
    return "From the docs:\n" + "\n".join(lines), tuple(sources)


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[object]], limit: int) -> str:
    def cell(v: object) -> str:
        return format_value(v).replace("|", "\\|")

    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows[:limit]]
    return "\n".join([head, *body])


def data_answer(planned: PlannedSqlResult, run: SqlRunResult | None) -> str:
    a = planned.answer
    parts = []
    if a.explanation:
        parts.append(a.explanation)
    parts.append(f"```sql\n{(run.report.sql if run else a.sql).strip()}\n```")
    if run is not None and run.result is not None:
        r = run.result
        parts.append(markdown_table(r.columns, r.rows, TABLE_ROWS))
        note = f"{r.row_count} row(s)"
        if r.row_count > TABLE_ROWS:
            note += f", first {TABLE_ROWS} shown"
        if r.truncated:
            note += "; cut at the row cap"
        parts.append(note + ".")
    parts.extend(a.notes)
    return "\n\n".join(parts)


def experiment_answer(summary: ExperimentSummaryResult, focus: Sequence[str] = ()) -> str:
    """Health, verdict, caps and arms; led by the effects of the metrics in `focus` (those the
    question named), significant or not."""
    a = summary.analysis
    name = f" ({a.meta.name})" if a.meta.name else ""
    # Health first: a verdict is only as good as the data under it.
    problems = [h for h in a.health if h.status != "ok"]
    health = (
        [f"- health {h.status}: {h.check}: {h.detail}" for h in problems]
        if problems
        else [f"Health: all {len(a.health)} checks ok."]
        if a.health
        else []
    )
    verdict = [f"**{a.meta.experiment_id}**{name}: verdict **{a.verdict.verdict}**."]
    verdict += [f"- {r}" for r in a.verdict.reasons]
    blocks = [_focus(a, focus)] if focus else []
    blocks += ["\n".join(health), "\n".join(verdict)] if health else ["\n".join(verdict)]
    if a.caps:
        blocks.append("Capped (winsorised): " + ", ".join(c.describe() for c in a.caps) + ".")
    blocks.append("Arms: " + ", ".join(f"{arm} {n:,}" for arm, n in a.arms.items()) + ".")
    blocks += [f"Note: {n}" for n in a.notes]
    return "\n\n".join(b for b in blocks if b)


def _focus(a: ExperimentAnalysis, metrics: Sequence[str]) -> str:
    lines = []
    for name in metrics:
        results = [m for m in a.metrics if m.metric == name]
        if not results:
            covered = ", ".join(dict.fromkeys(m.metric for m in a.metrics))
            lines.append(f"{name} is not among the metrics this analysis covers ({covered}).")
            continue
        lines.append(f"{name} in {a.meta.experiment_id}:")
        lines += [f"- {m.effect_line()}" for m in results]
    if a.verdict.verdict == "invalid":
        lines.append(
            "The verdict is invalid (see the health checks): these effects cannot be trusted."
        )
    return "\n".join(lines)


def metric_effects_answer(result: MetricEffectsResult) -> str:
    """Every experiment grouped by what its own analysis says of the metrics, then each
    arm's numbers; the groups never rank experiments against each other."""
    from agent.assistant.tools.metric_effects import GROUPS

    names = " and ".join(result.metrics)
    blocks = [
        f"{names} in {len(result.experiments)} experiment(s), each read by its own analysis "
        "(CUPED, p adjusted within the experiment). Their windows, surfaces and populations "
        "differ, so the effects are not directly comparable."
    ]
    group_lines = []
    for group in GROUPS:
        members = result.in_group(group)
        if members:
            group_lines.append(f"**{group}:** " + ", ".join(e.experiment_id for e in members))
    blocks += group_lines  # a paragraph each: Markdown would run lines together
    cols, rows = result.table()
    if rows:
        blocks.append(markdown_table(cols, rows, len(rows)))
    blocks += [f"Not analysed: {e.experiment_id}: {e.error}" for e in result.experiments if e.error]
    return "\n\n".join(blocks)


def list_answer(result: ExperimentListResult) -> str:
    if not result.experiments:
        return "There are no experiments in the warehouse."
    rows = [
        [e["experiment_id"], e.get("status"), e["start"], e["end"], e["primary_metric"], e["units"]]
        for e in result.experiments
    ]
    cols = ["experiment", "status", "start", "end", "primary metric", "units"]
    return f"{len(rows)} experiment(s):\n\n" + markdown_table(cols, rows, len(rows))


def catalog_answer(result: CatalogResult) -> str:
    return result.to_text()


def experiment_sql_answer(result: ExperimentSqlResult) -> str:
    blocks = [f"```sql\n{s.strip()}\n```" for s in result.statements]
    return (
        f"The {result.experiment_id} analysis runs {len(blocks)} statement(s) "
        f"({result.dialect}):\n\n" + "\n\n".join(blocks)
    )
