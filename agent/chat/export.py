"""Exporting from the chat: the last result to CSV or Parquet, the conversation to Markdown."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from agent.chat.transcript import Transcript
from tools.errors import InputError

FORMATS = ("csv", "parquet", "md")


def conversation_markdown(transcript: Transcript, *, title: str = "lablens conversation") -> str:
    """The whole conversation: each question, its answer, the SQL that ran and its sources."""
    out = [f"# {title}", ""]
    for i, turn in enumerate(transcript.turns, 1):
        out += [f"## {i}. {turn.question}", ""]
        if turn.answer:
            out += [turn.answer.rstrip(), ""]
        if turn.cancelled:
            out += ["_Cancelled._", ""]
        if turn.error:
            out += [f"> **Error:** {turn.error}", ""]
        for sql in turn.sql:
            out += ["```sql", sql.rstrip(), "```", ""]
        if turn.sources:
            out += ["Sources:", ""] + [f"- `{s}`" for s in turn.sources] + [""]
        if turn.notes:
            out += ["Notes:", ""] + [f"- {n}" for n in turn.notes] + [""]
    return "\n".join(out).rstrip() + "\n"


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def write_parquet(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """Parquet through DuckDB (already a dependency), typed from the Python values."""
    import duckdb
    import pandas as pd

    frame = pd.DataFrame([list(r) for r in rows], columns=list(columns))
    conn = duckdb.connect(":memory:")
    try:
        conn.register("result_rows", frame)
        target = str(path).replace("'", "''")
        conn.execute(f"COPY result_rows TO '{target}' (FORMAT PARQUET)")
    finally:
        conn.close()
    return path


def export(transcript: Transcript, fmt: str, path: Path) -> Path:
    """Write `fmt` (csv, parquet or md) to `path`; InputError when there is nothing to write."""
    if fmt not in FORMATS:
        raise InputError(
            f"Unknown export format {fmt!r}", hint="Use /export csv, /export parquet or /export md."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        path.write_text(conversation_markdown(transcript), encoding="utf-8")
        return path
    found = transcript.last_rows()
    if found is None:
        raise InputError(
            "There is no result table to export yet.",
            hint="Ask a data question first, or use /export md for the conversation.",
        )
    columns, rows = found
    return (write_csv if fmt == "csv" else write_parquet)(path, columns, rows)


def default_path(root: Path, fmt: str, stamp: str) -> Path:
    name = "conversation" if fmt == "md" else "result"
    return root / "exports" / f"{name}-{stamp}.{fmt}"
