"""The question words the planner understands besides the catalog's own names.

Grouped by role: aggregations, counting, grouping, ranking, comparisons, refusals, filler.
Keys are stems (tools.planner.tokens.stem) so plural and tense do not matter.
"""

from __future__ import annotations

from tools.planner.tokens import stem

AGGREGATES = {
    "total": "SUM",
    "sum": "SUM",
    "overall": "SUM",
    "average": "AVG",
    "avg": "AVG",
    "mean": "AVG",
    "typical": "AVG",
    "median": "MEDIAN",
    "max": "MAX",
    "maximum": "MAX",
    "highest": "MAX",
    "largest": "MAX",
    "biggest": "MAX",
    "min": "MIN",
    "minimum": "MIN",
    "lowest": "MIN",
    "smallest": "MIN",
}
AGGREGATES = {stem(k): v for k, v in AGGREGATES.items()}
# Superlatives that rank groups when the question has groups ("which surface had the most").
DESCENDING = {
    stem(w)
    for w in ("most", "highest", "largest", "biggest", "best", "top", "max", "maximum", "greatest")
}
ASCENDING = {
    stem(w) for w in ("least", "fewest", "lowest", "smallest", "worst", "bottom", "min", "minimum")
}
COUNT_WORDS = {stem(w) for w in ("count", "many", "number")}
DISTINCT_WORDS = {stem(w) for w in ("distinct", "unique", "different", "individual")}
ROW_WORDS = {stem(w) for w in ("row", "rows", "record", "records", "entries", "entry")}
ACTIVE_WORDS = {stem(w) for w in ("active",)}
LIST_WORDS = {stem(w) for w in ("list", "show", "display", "which", "what", "give")}
CONTRAST_WORDS = {stem(w) for w in ("vs", "versus", "compared", "against")}
GROUP_WORDS = {stem(w) for w in ("by", "per", "each", "every", "across", "which", "what")}
RANK_WORDS = {"rank", "ranked", "ranking", "sort", "sorted", "order", "ordered"}
# "100 or more impressions": a comparison written after its number.
TRAILING_COMPARATORS: list[tuple[tuple[str, ...], str]] = [
    (("or", "more"), ">="),
    (("or", "greater"), ">="),
    (("or", "higher"), ">="),
    (("or", "above"), ">="),
    (("and", "above"), ">="),
    (("or", "less"), "<="),
    (("or", "fewer"), "<="),
    (("or", "lower"), "<="),
    (("or", "below"), "<="),
    (("and", "below"), "<="),
]
GRAIN_WORDS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annual": "year",
}
GRAIN_UNITS = {
    stem(w): g
    for w, g in (
        ("day", "day"),
        ("days", "day"),
        ("date", "day"),
        ("week", "week"),
        ("weeks", "week"),
        ("month", "month"),
        ("months", "month"),
        ("quarter", "quarter"),
        ("quarters", "quarter"),
        ("year", "year"),
        ("years", "year"),
    )
}
NEGATIONS = {stem(w) for w in ("not", "excluding", "except", "without", "non", "exclude")}
COMPARATORS: list[tuple[tuple[str, ...], str]] = [
    (("more", "than"), ">"),
    (("greater", "than"), ">"),
    (("higher", "than"), ">"),
    (("larger", "than"), ">"),
    (("bigger", "than"), ">"),
    (("above",), ">"),
    (("over",), ">"),
    (("exceeding",), ">"),
    (("exceeds",), ">"),
    (("exceed",), ">"),
    (("exceeded",), ">"),
    ((">",), ">"),
    (("at", "least"), ">="),
    ((">=",), ">="),
    (("no", "less", "than"), ">="),
    (("less", "than"), "<"),
    (("fewer", "than"), "<"),
    (("lower", "than"), "<"),
    (("below",), "<"),
    (("under",), "<"),
    (("<",), "<"),
    (("at", "most"), "<="),
    (("<=",), "<="),
    (("no", "more", "than"), "<="),
    (("equal", "to"), "="),
    (("exactly",), "="),
    (("=",), "="),
]
# "most common X": the value of X with the most rows.
MODE_WORDS = {stem(w) for w in ("common", "frequent", "popular", "usual")}
# "share of customers that are premium": the fraction of rows where a flag holds.
SHARE_WORDS = {stem(w) for w in ("share", "percentage", "percent", "fraction", "proportion")}
# "week over week": each period beside its change from the one before.
CHANGE_GRAINS = {
    "day": "day",
    "week": "week",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
}
# Lifecycle words people use for a status column's values; a value of the column that is one
# of them also answers to the others ("finished" finds 'completed').
STATUS_GROUPS = (
    ("finished", "ended", "done", "complete", "completed", "closed", "over"),
    ("active", "running", "live", "ongoing", "in progress"),
)
# A request to change data is refused outright: lablens is read-only.
CHANGE_WORDS = {
    "delete",
    "drop",
    "update",
    "insert",
    "truncate",
    "alter",
    "remove",
    "modify",
    "create table",
    "overwrite",
    "replace",
    "grant",
    "revoke",
    "merge",
    "upsert",
}
# Words that carry no meaning for the plan; anything else unmatched is reported as unknown.
_FILLER_WORDS = """
a an the of for in on at to from with within into about among between and or but vs versus
what whats what's which who whom how is are was were be been being do does did done have has
had having get got gets give show list tell me us we our i my you your it its this that these
those there their them they please can could would should will shall may might want need
find see display return compute calculate report break down breakdown split group grouped
value values level levels rate flag flags whether yes no so far over during up
all any some ever every each per by than as just only also still much many ever our
day days today so time times ago current currently right now question kind type
served serve happened happen occur occurred come came made make total
are is be been am yet table tables data
sold sell sells selling bought buy buys purchased place placed run runs ran single line
recorded has got any when change growth delta exist exists whose spent single-day one-day
own owns owned broken altogether onward onwards based something anything new behind
saw seen went go goes gone
"""
FILLER = {stem(w) for w in _FILLER_WORDS.split()}
# Every question word the planner reads besides the catalog's (unmatched others are unknown).
QUESTION_WORDS = (
    FILLER
    | set(AGGREGATES)
    | DESCENDING
    | ASCENDING
    | COUNT_WORDS
    | DISTINCT_WORDS
    | GROUP_WORDS
    | NEGATIONS
    | ROW_WORDS
    | ACTIVE_WORDS
)
# Words a misspelling may be read as: the question words that carry meaning (not filler,
# whose short words would soak up typos of catalog names).
TYPO_TARGETS = (
    set(AGGREGATES)
    | DESCENDING
    | ASCENDING
    | COUNT_WORDS
    | DISTINCT_WORDS
    | MODE_WORDS
    | SHARE_WORDS
    | {stem(w) for w in GRAIN_WORDS}
    | set(GRAIN_UNITS)
)


_REQUEST_LEADS = {"please", "you", "to", "and", "then", "let's", "lets", "now"}


def is_change_request(words: list[str]) -> str | None:
    """The data-changing verb when the question asks for one ("delete all users", "please drop
    ..."), not when it only mentions one ("did bookings drop?")."""
    lowered = [w.lower() for w in words]
    for i, w in enumerate(lowered):
        if i > 0 and lowered[i - 1] not in _REQUEST_LEADS:
            continue
        two = " ".join(lowered[i : i + 2])
        if two in CHANGE_WORDS:
            return two
        if w in CHANGE_WORDS:
            return w
    return None
