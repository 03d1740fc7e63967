"""Catalog -> lexicon of phrases, and question tokens -> mentions of catalog concepts.

Every name, synonym, value and value synonym in the catalog becomes a phrase; a question is
matched greedily, longest phrase first. Nothing here knows any particular warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from tools.catalog.model import Catalog, Column
from tools.planner.tokens import Token, compact, phrase_stems

ConceptKind = Literal["metric", "table", "column", "value"]
MAX_PHRASE = 5
# Short values that are also English words ("in", "us") match only when written in their case.
_WORDLIKE = {
    "in",
    "us",
    "de",
    "it",
    "no",
    "or",
    "on",
    "at",
    "to",
    "be",
    "is",
    "me",
    "my",
    "an",
    "as",
    "by",
    "do",
    "go",
    "he",
    "hi",
    "if",
    "of",
    "so",
    "up",
    "we",
    "ca",
    "all",
    "any",
    "are",
    "can",
    "for",
    "new",
    "not",
    "one",
    "out",
    "the",
    "was",
    "who",
    "yes",
    "web",
}
_DATE_SUFFIXES = ("_date", "_dt", "_at", "_day", "_time", "_ts")
_BOOL_PREFIXES = ("is_", "has_", "was_")


@dataclass(frozen=True)
class Concept:
    kind: ConceptKind
    table: str
    column: str | None = None
    metric: str | None = None
    value: str | None = None
    # Read from the warehouse rather than declared in the catalog: yields to declared meanings.
    sampled: bool = False


@dataclass
class Mention:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    text: str
    concepts: list[Concept]

    def of_kind(self, kind: ConceptKind) -> list[Concept]:
        return [c for c in self.concepts if c.kind == kind]


@dataclass
class Lexicon:
    phrases: dict[str, list[Concept]] = field(default_factory=dict)
    # Phrases that only match as written (case-sensitive), see _WORDLIKE.
    exact: dict[str, list[Concept]] = field(default_factory=dict)

    def add(self, phrase: str, concept: Concept, *, value_text: str | None = None) -> None:
        stems = phrase_stems(phrase)
        if not stems or len(stems) > MAX_PHRASE:
            return
        key = compact(stems)
        if value_text is not None and key in _WORDLIKE:
            bucket = self.exact.setdefault(value_text, [])
        else:
            bucket = self.phrases.setdefault(key, [])
        if concept not in bucket:
            bucket.append(concept)


def column_phrases(col: Column) -> list[str]:
    """A column's name, its synonyms and the shorter names people use for it."""
    name = col.name.lower()
    out = [col.name, *col.synonyms]
    if col.is_date or col.type.upper().startswith(("DATE", "TIMESTAMP")):
        out += [name[: -len(s)] for s in _DATE_SUFFIXES if name.endswith(s)]
    if col.type.upper().startswith("BOOL"):
        out += [name[len(p) :] for p in _BOOL_PREFIXES if name.startswith(p)]
    if name.endswith("_id") and len(name) > 3:
        out.append(name[:-3])
    return [p for p in out if p]


def build_lexicon(
    catalog: Catalog, known_values: Mapping[tuple[str, str], Iterable[str]] | None = None
) -> Lexicon:
    """Every phrase the catalog offers; `known_values` adds values read from the warehouse for
    string columns the catalog does not enumerate (keyed by (table, column))."""
    lex = Lexicon()
    named: list[tuple[str, Concept]] = []  # value names that may have an adjective form
    for m in catalog.metrics:
        for p in (m.name, *m.synonyms):
            lex.add(p, Concept("metric", m.table, metric=m.name))
    for t in catalog.tables:
        for p in (t.name, *t.synonyms):
            lex.add(p, Concept("table", t.name))
        for c in t.columns:
            for p in column_phrases(c):
                lex.add(p, Concept("column", t.name, column=c.name))
            for v in c.values or []:
                lex.add(v, Concept("value", t.name, column=c.name, value=v), value_text=v)
                named.append((v, Concept("value", t.name, column=c.name, value=v)))
            for word, v in c.value_synonyms.items():
                lex.add(word, Concept("value", t.name, column=c.name, value=v), value_text=word)
                named.append((word, Concept("value", t.name, column=c.name, value=v)))
    _share_synonyms(lex, catalog)
    for t in catalog.tables:
        status = t.column(t.status_column) if t.status_column else None
        for v, words in _status_words(status.values if status else None):
            for w in words:
                lex.add(w, Concept("value", t.name, column=status.name, value=v), value_text=w)  # type: ignore[union-attr]
    for (table, column), values in (known_values or {}).items():
        for v in values:
            lex.add(v, Concept("value", table, column=column, value=v, sampled=True), value_text=v)
    _add_adjective_forms(lex, named)
    return lex


def _share_synonyms(lex: Lexicon, catalog: Catalog) -> None:
    """A synonym written on one table's column also names the columns of the same name and
    type in other tables: the same measure kept at another grain ('items bought' written on a
    per-user table's `purchases` also names a per-item table's `purchases`), so a filter that
    only the other table can reach still finds its measure. Which table answers is the
    planner's choice, as for the column's own name."""
    by_name: dict[tuple[str, str], list[tuple[str, Column]]] = {}
    for t in catalog.tables:
        for c in t.columns:
            by_name.setdefault((c.name.lower(), c.type.upper()), []).append((t.name, c))
    for same in by_name.values():
        if len(same) < 2:
            continue
        phrases = [p for _table, col in same for p in col.synonyms]
        for table, col in same:
            for phrase in phrases:
                lex.add(phrase, Concept("column", table, column=col.name))


def _adjective_forms(word: str) -> set[str]:
    """'Japan' -> 'Japanese', 'Brazil' -> 'Brazilian', 'Germany' -> 'German', 'Mexico' ->
    'Mexican': the regular ways English makes an adjective of a proper name."""
    w = word.lower()
    forms = {w + "ese", w + "ian", w + "an", w + "ish"}
    if w.endswith("a"):
        forms.add(w + "n")
    if w[-1] in "yeoa":
        forms |= {w[:-1] + "ian", w[:-1] + "an", w[:-1] + "ish"}
    if w.endswith("y"):
        forms.add(w[:-1])
    return forms


def _add_adjective_forms(lex: Lexicon, named: list[tuple[str, Concept]]) -> None:
    """Adjectives of one-word value names ('Japanese users'), unless the form means something
    else in the catalog already."""
    from tools.planner.tokens import stem

    taken = set(lex.phrases)
    for word, concept in named:
        if not (word.isalpha() and len(word) >= 4):
            continue
        for form in _adjective_forms(word):
            if stem(form) not in taken:
                lex.add(form, concept)


def _status_words(values: list[str] | None) -> list[tuple[str, tuple[str, ...]]]:
    """For each status value that is a lifecycle word, the other words of its group — unless
    another value of the column is in the same group (then the word would be ambiguous)."""
    from tools.planner.tokens import stem
    from tools.planner.vocabulary import STATUS_GROUPS

    out = []
    for group in STATUS_GROUPS:
        stems = {stem(w) for w in group}
        hits = [v for v in values or [] if stem(v) in stems]
        if len(hits) == 1:
            out.append((hits[0], tuple(w for w in group if stem(w) != stem(hits[0]))))
    return out


_CACHE_SIZE = 8
_lexicons: list[tuple[Catalog, object, Lexicon]] = []


def cached_lexicon(
    catalog: Catalog, known_values: Mapping[tuple[str, str], Iterable[str]] | None = None
) -> Lexicon:
    """`build_lexicon`, reused while the same catalog and value objects are passed (building
    is ~70 % of planning time; catalogs are loaded once and not changed in place)."""
    for cat, values, lex in _lexicons:
        if cat is catalog and values is known_values:
            return lex
    lex = build_lexicon(catalog, known_values)
    _lexicons.insert(0, (catalog, known_values, lex))
    del _lexicons[_CACHE_SIZE:]
    return lex


def find_mentions(tokens: list[Token], lex: Lexicon, skip: set[int]) -> list[Mention]:
    """The mentions that cover the most tokens (then: the fewest, i.e. the longest phrases),
    so 'pin quality score' reads as 'pin' + 'quality score', not 'pin quality' + '?'."""
    n_tok = len(tokens)
    options: list[list[Mention]] = [[] for _ in range(n_tok)]
    for i in range(n_tok):
        for n in range(1, min(MAX_PHRASE, n_tok - i) + 1):
            window = range(i, i + n)
            if any(j in skip for j in window):
                break
            if n > 1 and any(tokens[j].alone for j in window):
                break
            text = " ".join(tokens[j].text for j in window)
            concepts = list(lex.exact.get(text, [])) if n == 1 else []
            concepts += lex.phrases.get(compact([tokens[j].stem for j in window]), [])
            declared = [c for c in concepts if not c.sampled]
            concepts = declared or concepts
            if concepts:
                options[i].append(Mention(i, i + n, text, concepts))
    # best[i] = (tokens covered, -mentions used) from i to the end, and the choice made at i.
    best: list[tuple[int, int]] = [(0, 0)] * (n_tok + 1)
    choice: list[Mention | None] = [None] * (n_tok + 1)
    for i in range(n_tok - 1, -1, -1):
        best[i], choice[i] = best[i + 1], None
        for m in options[i]:
            covered, count = best[m.end]
            score = (covered + (m.end - m.start), count - 1)
            if score > best[i]:
                best[i], choice[i] = score, m
    out: list[Mention] = []
    i = 0
    while i < n_tok:
        picked = choice[i]
        if picked is None:
            i += 1
            continue
        out.append(picked)
        i = picked.end
    return out
