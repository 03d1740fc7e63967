"""The one "did you mean …?" helper: close names from a known set, and the hint sentence."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def closest(
    word: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6, fold: bool = True
) -> list[str]:
    """Up to `n` candidates close to `word`, best first; case-insensitive when `fold`."""
    pool = sorted(set(candidates))
    if not fold:
        return difflib.get_close_matches(word, pool, n=n, cutoff=cutoff)
    by_fold: dict[str, str] = {}
    for name in pool:
        by_fold.setdefault(name.casefold(), name)
    found = difflib.get_close_matches(word.casefold(), list(by_fold), n=n, cutoff=cutoff)
    return [by_fold[f] for f in found]


def did_you_mean(
    word: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6
) -> str | None:
    """ "Did you mean `a` or `b`?" for the names close to `word`, or None when none is close."""
    return did_you_mean_text(closest(word, candidates, n=n, cutoff=cutoff))


def did_you_mean_text(names: list[str], *, notes: Mapping[str, str] | None = None) -> str | None:
    """The hint sentence for names already chosen: "Did you mean `a`, `b` or `c`?".

    `notes` adds what a name is, in parentheses after it ("`a` (for `b`)"): one format for
    every hint that says more than the name."""
    if not names:
        return None
    notes = notes or {}
    quoted = [f"`{name}` ({notes[name]})" if notes.get(name) else f"`{name}`" for name in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"Did you mean {listed}?"
