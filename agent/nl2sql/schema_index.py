"""Table summaries (with their columns' names, types, descriptions, synonyms and values) and
metric summaries of the catalog in Chroma, and retrieval of the ones a question
needs (Pinterest's Text-to-SQL found table retrieval by summary doubled first-shot acceptance).

Retrieval is hybrid: dense top-k over the summaries, plus every table and metric the offline
planner's lexicon matches by name, synonym or value — cheap and exact where words coincide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tools.catalog.model import Catalog, Metric, Table

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from indexes.embedders import Embedder
    from indexes.records import Record, RecordIndex

INDEX_NAME = "catalog"
TOP_TABLES = 3
TOP_METRICS = 3
# Dense hits below these cosine scores are noise for the bundled model (measured on the demo
# catalog: relevant summaries score 0.3-0.5, unrelated ones under 0.15).
MIN_TABLE_SCORE = 0.15
MIN_METRIC_SCORE = 0.3


@dataclass
class SchemaSubset:
    tables: list[Table] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]


def table_summary(t: Table) -> str:
    cols = "; ".join(
        f"{c.name} ({c.type})"
        + (f": {c.description}" if c.description else "")
        + (f" [also: {', '.join(c.synonyms)}]" if c.synonyms else "")
        + (f" values: {', '.join(c.values)}" if c.values else "")
        + (f" -> {c.refers_to}" if c.refers_to and c.refers_to != t.name else "")
        + (f" [{c.default_agg} by default]" if c.default_agg else "")
        for c in t.columns
    )
    syn = f" Also called: {', '.join(t.synonyms)}." if t.synonyms else ""
    roles = [
        f"{label} {value}"
        for label, value in (
            ("key", t.key_column),
            ("name", t.name_column),
            ("status", t.status_column),
            ("date", t.time_column),
        )
        if value
    ]
    role_text = f" Roles: {', '.join(roles)}." if roles else ""
    return f"Table {t.name}: {t.description}{syn}{role_text} Columns: {cols}."


def metric_summary(m: Metric) -> str:
    syn = f" Also called: {', '.join(m.synonyms)}." if m.synonyms else ""
    return (
        f"Metric {m.name} ({m.kind.value}, on table {m.table} per {m.unit}): {m.description}{syn}"
    )


def catalog_records(catalog: Catalog) -> list[Record]:
    from indexes.records import Record

    out = [
        Record(f"table:{t.name}", table_summary(t), {"kind": "table", "name": t.name})
        for t in catalog.tables
    ]
    out += [
        Record(f"metric:{m.name}", metric_summary(m), {"kind": "metric", "name": m.name})
        for m in catalog.metrics
    ]
    return out


class SchemaRetriever:
    """Keeps the catalog's summaries in a record index and picks the subset for a question."""

    def __init__(
        self,
        catalog: Catalog,
        index: RecordIndex,
        known_values: Mapping[tuple[str, str], Iterable[str]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.index = index
        self.known_values = known_values or {}
        self.index.sync(catalog_records(catalog))  # embeds only summaries that changed

    @classmethod
    def open(
        cls,
        catalog: Catalog,
        state_dir: Path,
        *,
        embedder: Embedder | None = None,
        chroma_url: str | None = None,
        known_values: Mapping[tuple[str, str], Iterable[str]] | None = None,
    ) -> SchemaRetriever:
        from indexes.records import RecordIndex

        return cls(
            catalog,
            RecordIndex(state_dir, INDEX_NAME, embedder=embedder, chroma_url=chroma_url),
            known_values,
        )

    def retrieve(self, question: str) -> SchemaSubset:
        table_names = [
            h.metadata["name"]
            for h in self.index.query(question, k=TOP_TABLES, where={"kind": "table"})
            if h.score >= MIN_TABLE_SCORE
        ]
        metric_names = [
            h.metadata["name"]
            for h in self.index.query(question, k=TOP_METRICS, where={"kind": "metric"})
            if h.score >= MIN_METRIC_SCORE
        ]
        lex_tables, lex_metrics, value_tables = self._lexical(question)
        chosen = {n.lower() for n in [*lex_tables, *table_names]}
        for holders in value_tables:  # a value names its column's table only if none is chosen
            if holders and not {h.lower() for h in holders} & chosen:
                lex_tables.append(holders[0])
                chosen.add(holders[0].lower())
        metric_names = list(dict.fromkeys([*lex_metrics, *metric_names]))
        metrics = [m for name in metric_names if (m := self.catalog.metric(name)) is not None]
        wanted = [*lex_tables, *table_names, *(m.table for m in metrics)]
        tables = [
            t
            for name in dict.fromkeys(n.lower() for n in wanted)
            if (t := self.catalog.table(name)) is not None
        ]
        return SchemaSubset(tables, metrics)

    def _lexical(self, question: str) -> tuple[list[str], list[str], list[list[str]]]:
        """Tables named (by table or column words), metrics named, and for each value the
        tables that hold it."""
        from tools.planner.match import cached_lexicon, find_mentions
        from tools.planner.tokens import tokenize

        mentions = find_mentions(
            tokenize(question), cached_lexicon(self.catalog, self.known_values), set()
        )
        tables = [c.table for m in mentions for c in m.concepts if c.kind in ("table", "column")]
        metrics = [c.metric or "" for m in mentions for c in m.concepts if c.kind == "metric"]
        values = [
            list(dict.fromkeys(c.table for c in m.concepts if c.kind == "value"))
            for m in mentions
            if m.of_kind("value")
        ]
        return list(dict.fromkeys(tables)), list(dict.fromkeys(metrics)), values
