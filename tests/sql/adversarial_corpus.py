"""Reading tests/sql/adversarial.sql: named unsafe statements, some marked `[engine]`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).with_name("adversarial.sql")


@dataclass(frozen=True)
class Entry:
    name: str
    sql: str
    engine_refuses: bool  # the hardened connection alone must refuse it


def load_corpus(tmp: Path | None = None) -> list[Entry]:
    entries: list[Entry] = []
    name: str | None = None
    engine = False
    lines: list[str] = []

    def flush() -> None:
        if name is not None:
            sql = "\n".join(lines).strip("\n")
            if tmp is not None:
                sql = sql.replace("{tmp}", str(tmp))
            entries.append(Entry(name, sql, engine))

    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name:"):
            flush()
            header = line.removeprefix("-- name:").strip()
            engine = header.endswith("[engine]")
            name = header.removesuffix("[engine]").strip()
            lines = []
        elif name is not None:
            lines.append(line)
    flush()
    return entries
