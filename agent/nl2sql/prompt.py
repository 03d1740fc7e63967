"""The text-to-SQL prompt: the retrieved schema subset, its values, validated examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from agent.nl2sql.schema_index import SchemaSubset

if TYPE_CHECKING:
    from agent.llm.model import Message
    from agent.nl2sql.examples import SqlExample
    from tools.catalog.model import Catalog


def schema_text(subset: SchemaSubset, catalog: Catalog) -> str:
    names = {t.name.lower() for t in subset.tables}
    lines: list[str] = []
    for t in subset.tables:
        head = f"TABLE {t.name}"
        if t.partition_column and t.require_partition_filter:
            head += f"  -- partitioned by {t.partition_column}: always filter on it"
        lines.append(head)
        if t.description:
            lines.append(f"  -- {t.description}")
        for c in t.columns:
            desc = f"  -- {c.description}" if c.description else ""
            lines.append(f"  {c.name} {c.type}{desc}")
        lines.append("")
    joins = [
        jk
        for jk in catalog.join_keys
        if jk.left_table.lower() in names and jk.right_table.lower() in names
    ]
    if joins:
        lines.append("JOIN KEYS")
        lines += [
            f"  {j.left_table}.{j.left_column} = {j.right_table}.{j.right_column}" for j in joins
        ]
        lines.append("")
    if subset.metrics:
        lines.append("METRICS (compute exactly like this, per group)")
        for m in subset.metrics:
            if m.kind.value == "ratio":
                how = f"{m.numerator} / {m.denominator}"
            elif m.kind.value == "mean":
                how = f"average over {m.unit} of {m.numerator} per {m.unit}"
            else:
                how = f"share of {m.unit} with {m.numerator} = 1"
            lines.append(f"  {m.name} on {m.table}: {how} -- {m.description}")
    return "\n".join(lines).strip()


def values_text(subset: SchemaSubset, sampled: Mapping[tuple[str, str], Sequence[str]]) -> str:
    lines = []
    for t in subset.tables:
        for c in t.columns:
            values = c.values or sampled.get((t.name, c.name))
            if values:
                line = f"{t.name}.{c.name}: {', '.join(values)}"
                if c.value_synonyms:
                    line += (
                        " (people say: "
                        + ", ".join(f"{k} = {v}" for k, v in c.value_synonyms.items())
                        + ")"
                    )
                lines.append(line)
    return "\n".join(lines) if lines else "(none)"


def examples_text(examples: Sequence[SqlExample]) -> str:
    if not examples:
        return "(none)"
    return "\n\n".join(f"Question: {e.question}\n```sql\n{e.sql}\n```" for e in examples)


def generation_messages(
    question: str,
    subset: SchemaSubset,
    catalog: Catalog,
    *,
    dialect: str,
    today: str,
    sampled: Mapping[tuple[str, str], Sequence[str]],
    examples: Sequence[SqlExample],
) -> list[Message]:
    from agent.llm.prompt_messages import prompt_messages

    return prompt_messages(
        "sql_generation",
        dialect=dialect,
        today=today,
        schema=schema_text(subset, catalog),
        values=values_text(subset, sampled),
        examples=examples_text(examples),
        question=question,
    )
