"""Pull the SQL out of a model's answer. The SQL is data: it still has to pass the validator."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.sql.problems import Problem

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.DOTALL)


def extract_sql(text: str) -> str | None:
    """The SQL of the first ```sql block; else the first unlabeled block; else None.

    When there are several ```sql blocks the first one wins: the prompt asks for exactly one.
    """
    blocks = [(str(m.group(1)).lower(), str(m.group(2)).strip()) for m in _FENCE.finditer(text)]
    for lang, body in blocks:
        if lang in ("sql", "duckdb", "postgresql", "postgres") and body:
            return body
    for lang, body in blocks:
        if not lang and body:
            return body
    return None


def format_problems(problems: Iterable[Problem | Mapping[str, object]]) -> str:
    """Validator problems (objects or dicts with code, message, hint) as a bullet list for the
    repair prompt — the model gets the same codes and hints a person would."""
    lines = []
    for p in problems:
        get = p.get if isinstance(p, Mapping) else lambda k, p=p: getattr(p, k, None)
        line = f"- [{get('code') or 'error'}] {get('message')}"
        if get("hint"):
            line += f" Hint: {get('hint')}"
        lines.append(line)
    return "\n".join(lines) if lines else "- (no details)"
