"""Confirmed question -> SQL pairs: kept in the workspace state, re-validated before saving,
retrieved as few-shot examples for the model."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from indexes.embedders import Embedder
    from tools.catalog.model import Catalog

EXAMPLES_FILE = "sql_examples.jsonl"
INDEX_NAME = "sql_examples"
TOP_EXAMPLES = 3


@dataclass(frozen=True)
class SqlExample:
    question: str
    sql: str
    dialect: str
    saved_at: str = ""


@dataclass(frozen=True)
class SavedExample:
    """A confirmed example as `lablens sql --save` reports it: the pair and the file it went to."""

    example: SqlExample
    path: Path

    def to_dict(self) -> dict[str, object]:
        e = self.example
        return {
            "saved": True,
            "question": e.question,
            "sql": e.sql,
            "dialect": e.dialect,
            "path": str(self.path),
        }

    def to_text(self) -> str:
        return f"Saved as a confirmed example: {self.example.question}"


def examples_path(state_dir: Path) -> Path:
    return state_dir / EXAMPLES_FILE


def load_examples(state_dir: Path) -> list[SqlExample]:
    path = examples_path(state_dir)
    if not path.exists():
        return []
    out: dict[str, SqlExample] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            out[_key(data["question"])] = SqlExample(**data)  # the latest pair wins
    return list(out.values())


def save_example(
    state_dir: Path,
    question: str,
    sql: str,
    catalog: Catalog,
    *,
    dialect: str,
    explain: Callable[[str], object] | None = None,
) -> SqlExample:
    """Validate again, then append; raises SqlRejected when the SQL does not pass."""
    from tools.errors import InputError, SqlRejected
    from tools.sql.validate import validate_sql

    if not question.strip():
        raise InputError("Cannot save an example without a question.")
    report = validate_sql(sql, catalog, dialect=dialect, default_limit=None, explain=explain)
    if not report.valid:
        raise SqlRejected(
            "The SQL does not pass the validator, so it was not saved.",
            problems=list(report.errors),
            hint=report.summary(),
        )
    example = SqlExample(
        question.strip(),
        report.sql,
        report.dialect,
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    with examples_path(state_dir).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(example)) + "\n")
    return example


def retrieve_examples(
    state_dir: Path,
    question: str,
    *,
    embedder: Embedder | None = None,
    chroma_url: str | None = None,
    k: int = TOP_EXAMPLES,
) -> list[SqlExample]:
    """The saved examples nearest to the question (none saved: no index is opened)."""
    examples = load_examples(state_dir)
    if not examples:
        return []
    from indexes.records import Record, RecordIndex

    index = RecordIndex(state_dir, INDEX_NAME, embedder=embedder, chroma_url=chroma_url)
    by_id = {f"ex:{_key(e.question)}": e for e in examples}
    index.sync([Record(i, e.question, {"dialect": e.dialect}) for i, e in by_id.items()])
    return [by_id[h.id] for h in index.query(question, k=k) if h.id in by_id]


def _key(question: str) -> str:
    import hashlib

    return hashlib.sha256(" ".join(question.lower().split()).encode()).hexdigest()[:16]
