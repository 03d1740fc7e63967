"""Names the router recognises in a question, read from the catalog and the experiments table.

Nothing here knows a particular warehouse: experiment ids and names come from the experiments
table, tables/columns/metrics from the catalog. Fuzzy matching weighs each word by how few
experiments share it, so "the L1 ranker v2 test" finds the one experiment those words single out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
# Words too common in experiment names to identify one.
_GENERIC = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "with",
        "and",
        "or",
        "to",
        "by",
        "v",
        "test",
        "experiment",
        "model",
        "new",
        "old",
        "via",
        "using",
    ]
)
# Words of metric names that say how a metric is taken, not what it measures: "saves" names
# saves_per_user and save_rate, "rate" or "user" alone names none.
_METRIC_GENERIC = frozenset(
    [
        "per",
        "user",
        "users",
        "unit",
        "units",
        "rate",
        "ratio",
        "share",
        "count",
        "total",
        "avg",
        "average",
        "mean",
        "pct",
        "percent",
        "of",
        "daily",
        "number",
    ]
)
# Fuzzy match: at least this many distinctive words, worth at least this much in total.
MIN_WORDS = 2
MIN_SCORE = 1.75


def words(text: str) -> list[str]:
    """Lower-case words; identifiers with underscores are kept whole *and* split."""
    out: list[str] = []
    for token in _WORD.findall(text.lower().replace("-", " ")):
        out.append(token)
        if "_" in token:
            out.extend(p for p in token.split("_") if p)
    return out


def identifiers(text: str) -> list[str]:
    """Tokens shaped like ids (`snake_case` with at least one underscore)."""
    return [t for t in _WORD.findall(text.lower()) if "_" in t]


@dataclass(frozen=True)
class ExperimentName:
    experiment_id: str
    name: str | None = None


@dataclass(frozen=True)
class KnownNames:
    experiments: tuple[ExperimentName, ...] = ()
    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    # (phrase, metric) for every catalog synonym of a metric.
    metric_synonyms: tuple[tuple[str, str], ...] = ()
    # Column names and their synonyms that a "by X" follow-up may group by.
    dimensions: tuple[str, ...] = ()
    _df: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        df: Counter[str] = Counter()
        for e in self.experiments:
            df.update(set(self._keywords(e)))
        self._df.update(df)

    @property
    def experiment_ids(self) -> list[str]:
        return [e.experiment_id for e in self.experiments]

    @property
    def catalog_names(self) -> set[str]:
        return {n.lower() for n in (*self.tables, *self.columns, *self.metrics)}

    def _keywords(self, e: ExperimentName) -> list[str]:
        text = f"{e.experiment_id} {e.name or ''}"
        return [w for w in words(text) if w not in _GENERIC and "_" not in w]

    def find_experiment(self, question: str) -> str | None:
        """The experiment a question names: its id, or enough of its distinctive words."""
        lowered = question.lower()
        for token in identifiers(lowered):
            for e in self.experiments:
                if token == e.experiment_id.lower():
                    return e.experiment_id
        unknown = {t for t in identifiers(lowered) if t not in self.catalog_names}
        asked = {w for w in words(lowered) if "_" not in w and w not in _GENERIC}
        # Words of an unknown id ("hf_l1_ranker_v1") name *that* id, not a look-alike.
        for token in unknown:
            asked -= set(token.split("_"))
        best, best_score = None, 0.0
        for e in self.experiments:
            hit = asked & set(self._keywords(e))
            score = sum(1.0 / self._df[w] for w in hit)
            if len(hit) >= MIN_WORDS and score >= MIN_SCORE and score > best_score:
                best, best_score = e.experiment_id, score
        return best

    def unknown_identifiers(self, question: str) -> list[str]:
        known = self.catalog_names | {i.lower() for i in self.experiment_ids}
        return [t for t in identifiers(question) if t not in known]

    def metrics_in(self, question: str) -> list[str]:
        """Catalog metrics a question names, in catalog order: by name, by a synonym, or by
        every word of the name that says what it measures ("saves" for saves_per_user)."""
        from tools.planner.tokens import stem

        text = " " + " ".join(_WORD.findall(question.lower().replace("-", " "))) + " "
        phrases = [(_phrase(p), m) for p, m in self.metric_synonyms]
        phrases += [(n.lower(), n) for n in self.metrics] + [(_phrase(n), n) for n in self.metrics]
        by_phrase = {m for p, m in phrases if p and f" {p} " in text}
        for p, m in phrases:  # a phrase's words name its metric only ("save rate")
            if m in by_phrase and p:
                text = text.replace(f" {p} ", " ")
        # Words of an id ("saves_boost_v2") name that id, not a metric; a whole id may.
        asked = {stem(w) for w in text.split() if "_" not in w}
        found = []
        for metric in self.metrics:
            content = [w for w in metric.lower().split("_") if w and w not in _METRIC_GENERIC]
            if metric in by_phrase or (content and all(stem(w) in asked for w in content)):
                found.append(metric)
        return found

    def table_in(self, question: str) -> str | None:
        tokens = set(_WORD.findall(question.lower()))
        for table in sorted(self.tables, key=len, reverse=True):
            if table.lower() in tokens:
                return table
        return None


def _phrase(name: str) -> str:
    return " ".join(_WORD.findall(name.lower().replace("-", " ").replace("_", " ")))


def known_names(catalog: object, experiments: Iterable[tuple[str, str | None]] = ()) -> KnownNames:
    """Names from a `tools.catalog.model.Catalog` and (id, name) pairs of experiments."""
    tables = list(getattr(catalog, "tables", []))
    columns: list[str] = []
    dimensions: list[str] = []
    for t in tables:
        for c in t.columns:
            columns.append(c.name)
            if not c.is_numeric:
                dimensions.append(c.name)
                dimensions.extend(c.synonyms)
    metrics = [m.name for m in getattr(catalog, "metrics", [])]
    synonyms = [(s, m.name) for m in getattr(catalog, "metrics", []) for s in m.synonyms]
    return KnownNames(
        experiments=tuple(ExperimentName(i, n) for i, n in experiments),
        tables=tuple(t.name for t in tables),
        columns=tuple(dict.fromkeys(columns)),
        metrics=tuple(metrics),
        metric_synonyms=tuple(synonyms),
        dimensions=tuple(dict.fromkeys(d.lower() for d in dimensions)),
    )


def mentions(question: str, names: Sequence[str]) -> list[str]:
    tokens = set(words(question))
    return [n for n in names if n.lower() in tokens]
