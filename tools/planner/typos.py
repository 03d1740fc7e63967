"""Misspelt words read as the one catalog or question word they are a slip away from.

'svaes by surfce' reads as 'saves by surface' when exactly one known word is one edit away
(a letter dropped, added, replaced, or two neighbours swapped). Every correction
is returned as a note, so the reading is shown, never silent. A word with two readings that
close is left alone: the refusal then names the closest terms.

A verb the catalog only knows as its noun is read the same way ('pins engaged with' ->
'engagement', 'users enrolled' -> 'enrollment'): only for words that would otherwise be
refused, so a catalog's own use of the verb always wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from tools.planner.match import Lexicon
from tools.planner.tokens import Token, stem

_MIN_LEN = 4  # shorter words have too many neighbours ("sav" / "say" / "saw")


def correct_typos(
    tokens: list[Token], unknown_at: Iterable[int], lexicon: Lexicon, vocabulary: Iterable[str]
) -> tuple[list[Token], list[str]]:
    """Tokens with the unknown ones replaced by their unique close word, and a note per change
    (no notes: nothing was close enough)."""
    words = {k for k in lexicon.phrases if k.isalpha()} | set(vocabulary)
    unknown = set(unknown_at)
    out: list[Token] = []
    notes: list[str] = []
    for i, t in enumerate(tokens):
        fix = None
        why, derived = "the closest known word", False
        if i in unknown and len(t.lower) >= _MIN_LEN and t.lower.isalpha():
            fix = _noun_of_verb(t, words)
            if fix is not None:
                why, derived = "the noun the catalog uses", True
            else:
                fix = _unique_close(t.lower, words)
        if fix is None:
            out.append(t)
            continue
        out.append(Token(t.text, fix, stem(fix), t.start, t.end, alone=derived))
        notes.append(f"Read '{t.text}' as '{fix}' ({why}).")
    return out, notes


def _noun_of_verb(t: Token, words: set[str]) -> str | None:
    """'engaged' -> 'engagement' when the catalog knows the -ment noun and not the verb."""
    if not t.lower.endswith(("ed", "ing", "es", "e")):
        return None
    for noun in (t.stem + "ement", t.stem + "ment"):
        if noun in words:
            return noun
    return None


def _unique_close(word: str, words: set[str]) -> str | None:
    """The one known word that a single edit of `word` gives, trying the commonest slips first
    (two letters swapped, then one dropped or doubled, then one replaced); None if two tie."""
    for tier in _edit_tiers(word.lower()):
        hits: dict[str, str] = {}
        for v in sorted(tier):
            if (s := stem(v)) in words:
                hits.setdefault(s, v)
        if hits:
            return next(iter(hits.values())) if len(hits) == 1 else None
    return None


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edit_tiers(w: str) -> list[set[str]]:
    splits = [(w[:i], w[i:]) for i in range(len(w) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    deletes = {a + b[1:] for a, b in splits if b}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    return [swaps, deletes | inserts, replaces]
