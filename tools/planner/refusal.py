"""Refusals that help: the closest catalog terms (with their descriptions), two or three
phrasings that would work on this catalog, and never the question echoed back at length."""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.did_you_mean import closest, did_you_mean_text
from tools.errors import PlanningError

MAX_QUESTION_CHARS = 2000  # a question longer than this is refused before it is read
_MAX_SHOWN_WORDS = 4
_MAX_WORD_CHARS = 24


def shown(word: str) -> str:
    """A word of the question as it may appear in a message: short, quoted."""
    w = word if len(word) <= _MAX_WORD_CHARS else word[: _MAX_WORD_CHARS - 1] + "…"
    return repr(w)


def shown_words(words: list[str]) -> str:
    out = ", ".join(shown(w) for w in words[:_MAX_SHOWN_WORDS])
    return out + (
        f" and {len(words) - _MAX_SHOWN_WORDS} more" if len(words) > _MAX_SHOWN_WORDS else ""
    )


def unplaced_comparison(said: str) -> PlanningError:
    """A comparison with nothing to apply to: refused, never dropped from the SQL (dropped,
    "creators who published more than 3 pins" counted every creator)."""
    return PlanningError(
        f"Understood '{said}', but no numeric column it applies to: lablens compares a "
        "column's values ('more than 20 saves') or how many rows of a table each counted one "
        "has ('creators who published more than 3 pins').",
        hint="Rank instead ('top creators by pins'), or name a numeric column to compare.",
    )


def refuse_long(question: str) -> None:
    if len(question) > MAX_QUESTION_CHARS:
        raise PlanningError(
            f"The question is {len(question):,} characters long; questions are read up to"
            f" {MAX_QUESTION_CHARS:,}.",
            hint="Ask one short question at a time.",
        )


def catalog_terms(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Every table, column and metric name and synonym -> (the name, its description)."""
    out: dict[str, tuple[str, str]] = {}
    for t in catalog.tables:
        tdesc = t.description or f"table with {len(t.columns)} columns"
        for word in (t.name, *t.synonyms):
            out.setdefault(word, (t.name, tdesc))
        for c in t.columns:
            cdesc = c.description or f"column of {t.name}"
            for word in (c.name, *c.synonyms):
                out.setdefault(word, (c.name, cdesc))
    for m in catalog.metrics:
        mdesc = m.description or f"metric on {m.table}"
        for word in (m.name, *m.synonyms):
            out[word] = (m.name, mdesc)
    return out


def closest_terms(words: list[str], catalog: Catalog, *, n: int = 3) -> dict[str, str]:
    """`saver_rate` -> "described as 'share of users with at least one save'" for the words."""
    terms = catalog_terms(catalog)
    spelled = {word.replace("_", " ").lower(): word for word in terms}
    found: list[str] = []
    for w in words[:8]:
        for near in closest(w.lower(), spelled, n=2, cutoff=0.7):
            name = terms[spelled[near]][0]
            if name not in found:
                found.append(name)
    described = {name: desc for name, desc in terms.values()}
    return {name: f"described as '{described[name][:60]}'" for name in found[:n]}


def example_phrasings(catalog: Catalog) -> list[str]:
    """Two or three questions this catalog can answer, built from its own names."""
    out: list[str] = []
    for m in catalog.metrics[:1]:
        out.append(f"'{m.name} in the last 7 days'")
    for t in catalog.tables:
        listed = next((c for c in t.columns if c.values), None)
        if listed is not None:
            out.append(f"'how many {t.name} by {listed.name}'")
            break
    for t in catalog.tables:
        num = next((c for c in t.columns if c.default_agg == "sum"), None) or next(
            (c for c in t.columns if c.is_numeric and not c.name.lower().endswith("_id")), None
        )
        if num is not None:
            when = " last month" if t.time_column else ""
            word = "total" if num.default_agg == "sum" or t.time_column else "average"
            out.append(f"'{word} {num.name}{when}'")
            break
    if not out and catalog.tables:
        out.append(f"'how many {catalog.tables[0].name}'")
    return out[:3]


def refusal_hint(catalog: Catalog, unknown: list[str]) -> str:
    near = closest_terms(unknown, catalog)
    parts = []
    if near:
        parts.append(did_you_mean_text(list(near), notes=near) or "")
    phrasings = example_phrasings(catalog)
    if phrasings:
        parts.append("Questions that work here: " + "; ".join(phrasings) + ".")
    parts.append("`lablens catalog show` lists every table, column and metric.")
    return " ".join(parts)
