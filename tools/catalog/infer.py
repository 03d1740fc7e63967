"""What the profiles of a warehouse's tables mean: pure rules, no I/O.

From counts and ranges alone (never a list of known table names): date columns by type or
content, each `*_id` column's entity, the column that names an entity's rows, boolean flags
and the adjective they stand for, status columns, and how each numeric column adds up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tools.catalog.model import Catalog, Column, JoinKey, Table
from tools.catalog.value_sample import value_list

_DATE_TYPES = ("DATE", "TIMESTAMP")
_FLAG_PREFIXES = ("is_", "has_", "was_", "can_")
_STATUS_WORDS = ("status", "state", "stage", "lifecycle")
_NAME_WORDS = ("name", "title", "label")
# Name parts of measures that are averaged rather than summed: scores, rates, prices, levels.
_AVERAGED_WORDS = frozenset(
    [
        "score",
        "rating",
        "rate",
        "ratio",
        "pct",
        "percent",
        "percentage",
        "share",
        "price",
        "avg",
        "mean",
        "median",
        "age",
        "duration",
        "latency",
        "position",
        "rank",
        "budget",
        "discount",
        "level",
        "temperature",
        "probability",
        "prob",
    ]
)
_NAME_UNIQUENESS = 0.9  # a naming column tells (almost) every row apart


@dataclass
class ColumnProfile:
    name: str
    type: str
    comment: str = ""
    n_distinct: int = 0
    n_nonnull: int = 0
    text_dates: bool = False  # text whose every value parses as a date
    minimum: float | None = None
    maximum: float | None = None
    values: list[object] | None = None  # the distinct values when there are few


@dataclass
class TableProfile:
    name: str
    n_rows: int
    columns: list[ColumnProfile] = field(default_factory=list)
    comment: str = ""


def infer_catalog(profiles: list[TableProfile], *, name: str, dialect: str) -> Catalog:
    owners = {p.columns[0].name.lower(): p.name for p in profiles if _keyed(p)}
    tables = [_table(p, owners) for p in profiles]
    _choose_units(tables)
    return Catalog(name=name, dialect=dialect, tables=tables, join_keys=join_keys_by_name(tables))


def _keyed(p: TableProfile) -> bool:
    """The first column is a key: an `*_id` (or `id`) that tells the rows apart."""
    if not p.columns:
        return False
    first = p.columns[0]
    is_id = first.name.lower().endswith("_id") or first.name.lower() == "id"
    return is_id and first.n_distinct == p.n_rows


def _table(p: TableProfile, owners: dict[str, str]) -> Table:
    columns = [_column(c, p, owners) for c in p.columns]
    dates = [(c, prof) for c, prof in zip(columns, p.columns, strict=True) if c.is_date]
    # The row's date: the date column that is most often filled (first one on a tie).
    time_column = max(dates, key=lambda d: d[1].n_nonnull)[0].name if dates else None
    has_time = time_column is not None
    for c, prof in zip(columns, p.columns, strict=True):
        if c.is_numeric and c.refers_to is None and not c.is_date:
            c.default_agg = _default_agg(c, prof, has_time)
    return Table(
        name=p.name,
        description=p.comment,
        columns=columns,
        time_column=time_column,
        partition_column=time_column,
        key_column=p.columns[0].name if _keyed(p) else None,
        name_column=_name_column(p) if _keyed(p) else None,
        status_column=next(
            (c.name for c in columns if c.values and _has_word(c.name, _STATUS_WORDS)), None
        ),
    )


def _column(c: ColumnProfile, p: TableProfile, owners: dict[str, str]) -> Column:
    typ = c.type.upper()
    is_date = typ.startswith(_DATE_TYPES) or c.text_dates
    values = None
    if c.values is not None and not is_date and not typ.startswith("BOOL"):
        values = value_list(c.values, n_rows=p.n_rows)
    lname = c.name.lower()
    refers_to = owners.get(lname) if lname.endswith("_id") or lname == "id" else None
    if lname == "id" and _keyed(p) and p.columns[0] is c:
        refers_to = p.name
    synonyms: list[str] = []
    description = c.comment
    flag = _flag_word(c)
    if flag:
        synonyms.append(flag)
        description = description or f"flag: true when the row is {flag}"
    if refers_to and not description:
        description = f"identifies a row of {refers_to}"
    if c.text_dates and not description:
        description = "a date written as text"
    return Column(
        name=c.name,
        type=c.type,
        description=description,
        synonyms=synonyms,
        values=values,
        is_date=is_date,
        refers_to=refers_to,
    )


def _flag_word(c: ColumnProfile) -> str | None:
    """`is_premium` -> 'premium': the adjective a boolean flag stands for."""
    lname = c.name.lower()
    for prefix in _FLAG_PREFIXES:
        boolean = c.type.upper().startswith("BOOL") or c.n_distinct <= 2
        if lname.startswith(prefix) and len(lname) > len(prefix) and boolean:
            return lname[len(prefix) :].replace("_", " ")
    return None


def _has_word(name: str, words: tuple[str, ...]) -> bool:
    return any(part in words for part in name.lower().split("_"))


def _name_column(p: TableProfile) -> str | None:
    texts = [
        c
        for c in p.columns[1:]
        if (c.type.upper() in ("VARCHAR", "TEXT", "STRING"))
        and not c.text_dates
        and c.n_distinct >= _NAME_UNIQUENESS * max(1, p.n_rows)
        and c.n_distinct > 0
    ]
    named = [c for c in texts if _has_word(c.name, _NAME_WORDS)]
    pool = named or texts
    return pool[0].name if pool else None


def _default_agg(c: Column, prof: ColumnProfile, has_time: bool) -> str:
    if _has_word(c.name, tuple(_AVERAGED_WORDS)):
        return "avg"
    lo, hi = prof.minimum, prof.maximum
    integer = "INT" in c.type.upper()
    if not integer and lo is not None and hi is not None and lo >= 0 and hi <= 1:
        return "avg"  # values between 0 and 1 are rates or probabilities
    if integer or has_time:
        return "sum"  # event counts and amounts of dated facts add up
    return "avg"


def _choose_units(tables: list[Table]) -> None:
    """The unit of a table is its `*_id` column naming the warehouse's most common entity."""
    counts = Counter(
        c.name.lower() for t in tables for c in t.columns if c.name.lower().endswith("_id")
    )
    for t in tables:
        ids = [c.name for c in t.columns if c.name.lower().endswith("_id")]
        if ids:
            t.unit_column = max(ids, key=lambda n: (counts[n.lower()], -ids.index(n)))


def join_keys_by_name(tables: list[Table]) -> list[JoinKey]:
    """`x_id` in one table joins the table whose first column is `x_id` (its likely key)."""
    owners = {t.columns[0].name.lower(): t for t in tables if t.columns}
    keys = []
    for t in tables:
        for c in t.columns:
            owner = owners.get(c.name.lower())
            if c.name.lower().endswith("_id") and owner is not None and owner.name != t.name:
                keys.append(
                    JoinKey(
                        left_table=t.name,
                        left_column=c.name,
                        right_table=owner.name,
                        right_column=owner.columns[0].name,
                    )
                )
    return keys
