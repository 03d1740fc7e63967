"""The conversation history in `.lablens/history.sqlite3`: questions, answers and steps,
secrets redacted before they are written, searchable with SQLite FTS5."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.assistant.conversation import Turn
from agent.llm.redact import redact_secrets

HISTORY_FILE = "history.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    mode TEXT NOT NULL,
    grounded INTEGER NOT NULL,
    steps_json TEXT NOT NULL,
    context_json TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS exchanges_fts USING fts5(
    question, answer, content='exchanges', content_rowid='id'
);
CREATE TRIGGER IF NOT EXISTS exchanges_ai AFTER INSERT ON exchanges BEGIN
    INSERT INTO exchanges_fts(rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
"""


@dataclass(frozen=True)
class Exchange:
    id: int
    ts: str
    question: str
    answer: str
    mode: str
    grounded: bool
    steps: list[dict[str, object]]
    context: dict[str, str]

    def turn(self) -> Turn:
        return Turn.from_context(self.question, self.answer, self.context)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "ts": self.ts,
            "question": self.question,
            "answer": self.answer,
            "mode": self.mode,
            "grounded": self.grounded,
            "steps": self.steps,
        }


@dataclass(frozen=True)
class HistoryMatches:
    """The exchanges a history search found (`lablens history [QUERY] --json`), newest first."""

    query: str | None
    exchanges: tuple[Exchange, ...]

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "exchanges": [e.to_dict() for e in self.exchanges]}

    def to_text(self) -> str:
        """Two lines per exchange: id, time, mode and question; the answer's first line."""
        if not self.exchanges:
            return "No matching questions in the history." if self.query else "No history yet."
        lines = []
        for e in self.exchanges:
            first = e.answer.strip().splitlines()[0] if e.answer.strip() else ""
            lines += [f"#{e.id} {e.ts} [{e.mode}] {e.question}", f"    {first[:160]}"]
        return "\n".join(lines)


class History:
    def __init__(self, path: Path, *, secrets: Iterable[str | None] = ()) -> None:
        self.path = path
        self._secrets = [s for s in secrets if s]

    @classmethod
    def in_state_dir(cls, state_dir: Path, *, secrets: Iterable[str | None] = ()) -> History:
        return cls(state_dir / HISTORY_FILE, secrets=secrets)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path)
        conn.executescript(_SCHEMA)
        return conn

    def _clean(self, text: str) -> str:
        return redact_secrets(text, self._secrets)

    def add(
        self,
        question: str,
        answer: str,
        *,
        mode: str,
        grounded: bool,
        steps: Sequence[Mapping[str, object]] = (),
        context: Mapping[str, str] | None = None,
    ) -> int:
        steps_json = self._clean(json.dumps(list(steps), default=str, ensure_ascii=False))
        context_json = self._clean(json.dumps(dict(context or {}), ensure_ascii=False))
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "INSERT INTO exchanges (ts, question, answer, mode, grounded, steps_json, "
                "context_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    self._clean(question),
                    self._clean(answer),
                    mode,
                    int(grounded),
                    steps_json,
                    context_json,
                ),
            )
            return int(cur.lastrowid or 0)

    def last(self) -> Exchange | None:
        rows = self._select("SELECT * FROM exchanges ORDER BY id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def search(self, query: str | None = None, *, limit: int = 20) -> list[Exchange]:
        """Newest first; with `query`, the exchanges whose question or answer match it (FTS5)."""
        if not query or not query.strip():
            return self._select("SELECT * FROM exchanges ORDER BY id DESC LIMIT ?", (limit,))
        terms = [t for t in query.replace('"', " ").split() if t]
        match = " ".join(f'"{t}"' for t in terms)  # quoted: FTS5 operators stay plain words
        return self._select(
            "SELECT e.* FROM exchanges_fts f JOIN exchanges e ON e.id = f.rowid "
            "WHERE exchanges_fts MATCH ? ORDER BY e.id DESC LIMIT ?",
            (match, limit),
        )

    def _select(self, sql: str, params: tuple[object, ...]) -> list[Exchange]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            Exchange(
                id=r[0],
                ts=r[1],
                question=r[2],
                answer=r[3],
                mode=r[4],
                grounded=bool(r[5]),
                steps=json.loads(r[6]),
                context=json.loads(r[7]),
            )
            for r in rows
        ]
