"""Reviewed allow-lists of the functions a query may call, one data file per warehouse dialect.

Each `<dialect>.txt` is derived from the engine's own function catalog by `derive.py` and
then reviewed (see the README, "Functions a query may call"): a line is
`name<TAB>kind<TAB>allow|deny<TAB>reason`. Only `allow` lines are callable; table-valued
functions are never listed as allowed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
_LOCK = threading.Lock()


@dataclass(frozen=True)
class FunctionList:
    dialect: str
    allowed: frozenset[str]
    denied: dict[str, str]  # name -> why it is refused


def list_path(dialect: str) -> Path:
    return HERE / f"{dialect}.txt"


@cache
def _load(dialect: str) -> FunctionList | None:
    path = list_path(dialect)
    if not path.is_file():
        return None
    allowed: set[str] = set()
    denied: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, _kind, verdict, reason = ([*line.split("\t"), "", "", ""])[:4]
        if verdict == "allow":
            allowed.add(name)
        else:
            denied[name] = reason
    # A name with an allowed and a denied overload (e.g. a macro) is denied.
    return FunctionList(dialect, frozenset(allowed - set(denied)), denied)


def function_list(dialect: str) -> FunctionList | None:
    """The reviewed list for a sqlglot dialect name, or None when lablens has none for it."""
    with _LOCK:
        return _load(dialect)
