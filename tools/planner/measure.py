"""Which measure a question asks for: a metric, an aggregate of a column, a count of a
table's rows or units, a distinct count, or the rows themselves — and the candidate base tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.counted import counted_flag_holders, counted_table
from tools.planner.join_path import foreign_keys_to
from tools.planner.match import Mention
from tools.planner.plan_model import ColumnRef
from tools.planner.read_question import Reading
from tools.planner.roles import Roles, column_kind


@dataclass
class MeasureChoice:
    kind: str  # metric | aggregate | count_distinct | entity | rows
    bases: list[str]  # candidate base tables, best first
    metric: str | None = None
    columns: list[ColumnRef] = field(default_factory=list)  # aggregate / distinct candidates
    entity: str | None = None
    agg: str | None = None
    attributes: list[Mention] = field(default_factory=list)  # for lookups
    extra: list[Mention] = field(default_factory=list)  # more aggregates of the same rows
    share_value: str | None = None  # a share of rows holding this value (else a flag)
    negated: bool = False
    note: str | None = None  # how the measure was read, when the question did not name it


def is_name_value(catalog: Catalog, m: Mention) -> bool:
    """The mention is a value of a table's naming column or key: it names one row."""
    from tools.planner.join_path import table_key

    for c in m.of_kind("value"):
        t = catalog.table(c.table)
        if t is None:
            continue
        naming = {n.lower() for n in (t.name_column, table_key(catalog, t.name)) if n}
        if (c.column or "").lower() in naming:
            return True
    return False


def _lookup(catalog: Catalog, roles: Roles, reading: Reading) -> MeasureChoice | None:
    """'when did <name> end?', 'which team runs <name>?': attributes of the named row."""
    if roles.counting or roles.agg or roles.distinct_at is not None or reading.grain:
        return None
    if any(t.lower in ("by", "per", "each", "every", "across") for t in reading.tokens):
        return None  # a breakdown, not one row's attributes
    named = [m for m, negated in roles.values if not negated and is_name_value(catalog, m)]
    if not named:
        return None
    attrs = sorted(
        [*roles.other_columns, *roles.date_columns, *roles.dims, *roles.numeric, *roles.tables],
        key=lambda m: m.start,
    )
    if not attrs:
        return None
    roles.other_columns, roles.date_columns, roles.dims, roles.numeric, roles.tables = (
        [],
        [],
        [],
        [],
        [],
    )
    table = named[0].of_kind("value")[0].table
    return MeasureChoice("lookup", [table], attributes=attrs)


def _reads(metric_sql: str, column: str) -> bool:
    import re

    return bool(column) and re.search(rf"\b{re.escape(column)}\b", metric_sql.lower()) is not None


def _mean_per_unit(catalog: Catalog, roles: Roles) -> MeasureChoice | None:
    """'how many saves did each user make on average': the catalog's per-unit mean metric
    whose unit is the named rows' key and whose numerator reads the named column."""
    from tools.catalog.model import MetricKind

    if len(roles.numeric) != 1:
        return None
    column = roles.numeric[0]
    names = [(c.column or "").lower() for c in column.of_kind("column")]
    units = [m for m in (*roles.tables, *roles.dims) if m.of_kind("table")]
    for metric in catalog.metrics:
        if metric.kind != MetricKind.MEAN or not any(_reads(metric.numerator, n) for n in names):
            continue
        keyed = [
            m
            for m in units
            if any(
                (tc := catalog.table(c.table)) is not None
                and any(col.name.lower() == metric.unit.lower() for col in tc.columns)
                and tc.name.lower() != metric.table.lower()
                for c in m.of_kind("table")
            )
        ]
        if not keyed:
            continue
        roles.numeric = []
        roles.tables = [m for m in roles.tables if m not in keyed]
        roles.dims = [m for m in roles.dims if m not in keyed]
        note = (
            f"'average ... {keyed[0].text}' read as the per-{metric.unit} mean {metric.name}"
            f" ({metric.numerator} per {metric.unit}, averaged over units)."
        )
        return MeasureChoice("metric", [metric.table], metric=metric.name, note=note)
    return None


def _proportion_of_units(catalog: Catalog, roles: Roles) -> MeasureChoice | None:
    """'share of users who saved': the catalog's proportion metric whose unit is the named
    rows' key and whose per-unit indicator reads the named column."""
    from tools.catalog.model import MetricKind

    # "what share of users ...": the rows may have been read as a group ("what <column>").
    units = [m for m in (*roles.tables, *roles.dims) if m.of_kind("table")]
    columns = {(c.column or "").lower(): m for m in roles.numeric for c in m.of_kind("column")}
    for metric in catalog.metrics:
        if metric.kind != MetricKind.PROPORTION:
            continue
        keyed = [m for m in units if _keyed_by(catalog, m, metric.unit)]
        read = [m for name, m in columns.items() if _reads(metric.numerator, name)]
        if not keyed or not read:
            continue
        roles.numeric = [m for m in roles.numeric if m not in read]
        roles.tables = [m for m in roles.tables if m not in keyed]
        roles.dims = [m for m in roles.dims if m not in keyed]
        note = (
            f"'share' read as the metric {metric.name}"
            + (f" ({metric.description.rstrip('.')})" if metric.description else "")
            + f": per {metric.unit}, {metric.numerator}, averaged."
        )
        return MeasureChoice("metric", [metric.table], metric=metric.name, note=note)
    return None


def _keyed_by(catalog: Catalog, m: Mention, unit: str) -> bool:
    """The mention names a table that has the unit column (the unit's own rows)."""
    for c in m.of_kind("table"):
        t = catalog.table(c.table)
        if t is not None and any(col.name.lower() == unit.lower() for col in t.columns):
            return True
    return False


def choose_measure(catalog: Catalog, roles: Roles, reading: Reading) -> MeasureChoice:
    metric_names = list(
        dict.fromkeys(c.metric or "" for m in roles.metrics for c in m.of_kind("metric"))
    )
    if len(metric_names) > 1:
        raise PlanningError(
            f"The question names several metrics ({', '.join(metric_names)}).",
            hint="Ask for one metric at a time.",
        )
    if metric_names:
        metric = catalog.metric(metric_names[0] or "")
        assert metric is not None
        return MeasureChoice("metric", [metric.table], metric=metric.name)
    lookup = _lookup(catalog, roles, reading)
    if lookup is not None:
        return lookup
    if reading.share and roles.booleans:
        m, _negated = roles.booleans.pop(0)
        cols = [
            ColumnRef(c.table, c.column or "")
            for c in m.of_kind("column")
            if column_kind(catalog, c) == "boolean"
        ]
        # "share of <rows> that are <flag>": the flag's table is the population, not a group.
        own = {c.table.lower() for c in cols}
        roles.tables = []
        roles.dims = [
            d for d in roles.dims if not {c.table.lower() for c in d.of_kind("table")} & own
        ]
        return MeasureChoice("share", _tables_of(cols), columns=cols)
    share_values = [(m, n) for m, n in roles.values if not is_name_value(catalog, m)]
    if reading.share and share_values and not roles.metrics:
        # "share of orders that were cancelled": the fraction of rows with that value.
        m, negated = share_values[0]
        roles.values.remove((m, negated))
        vals = m.of_kind("value")
        cols = [ColumnRef(c.table, c.column or "") for c in vals]
        return MeasureChoice(
            "share", _tables_of(cols), columns=cols, share_value=vals[0].value, negated=negated
        )
    if reading.share and not roles.metrics:
        proportion = _proportion_of_units(catalog, roles)
        if proportion is not None:
            return proportion
        raise PlanningError(
            "The question asks for a share, but no flag or value says which rows count.",
            hint="Name the flag or value, e.g. 'share of <rows> that are <flag>'.",
        )
    groups = bool(roles.dims) or reading.grain is not None
    counted = counted_table(roles, reading)
    if counted is not None:  # "how many users saved ..." counts users, not saves
        roles.tables.remove(counted)
        return _entity_choice(catalog, roles, counted.of_kind("table")[0].table)
    flag_table = counted_flag_holders(catalog, roles, reading)
    if flag_table is not None:  # "how many creators saved ...": the flag stays a filter
        return _entity_choice(catalog, roles, flag_table)
    if roles.agg == "AVG" and not reading.grain:
        mean = _mean_per_unit(catalog, roles)
        if mean is not None:
            return mean
    if roles.numeric and not (roles.distinct_at is not None and _distinct_target(roles)):
        first = roles.numeric.pop(0)
        same = [m for m in roles.numeric if _cols(m) == _cols(first)]
        roles.numeric = [m for m in roles.numeric if m not in same]
        extra: list[Mention] = []
        per: Mention | None = None
        if roles.numeric and not roles.counting:
            nxt = roles.numeric[0]
            gap = {t.lower for t in reading.tokens[first.end : nxt.start]}
            if "per" in gap or "/" in gap:
                per = roles.numeric.pop(0)  # "clicks per impression": a ratio of two sums
            # "clicks and hides": more aggregates over the same rows.
            extra, roles.numeric = roles.numeric, []
        agg = roles.agg
        if agg is None and reading.superlatives and not groups and not reading.rank_cues:
            agg = "MAX" if reading.superlatives[0][1] == "desc" else "MIN"
            roles.agg_from_superlative = True
        cols = [
            ColumnRef(c.table, c.column or "")
            for c in first.of_kind("column")
            if column_kind(catalog, c) == "numeric"
        ]
        bases = _tables_of(cols)
        for m in extra:
            held = {c.table for c in m.of_kind("column") if column_kind(catalog, c) == "numeric"}
            bases = [b for b in bases if b in held]
        if not bases:
            names = ", ".join(f"'{m.text}'" for m in [first, *extra])
            raise PlanningError(
                f"The question asks for several measures ({names}) that no one table holds.",
                hint="Ask for one measure at a time.",
            )
        if per is not None:
            held = {c.table for c in per.of_kind("column") if column_kind(catalog, c) == "numeric"}
            bases = [b for b in bases if b in held]
            if not bases:
                raise PlanningError(
                    f"'{first.text}' per '{per.text}': no one table holds both.",
                    hint="Ask for one measure at a time.",
                )
            return MeasureChoice("ratio", bases, columns=cols, extra=[per, *extra])
        return MeasureChoice("aggregate", bases, columns=cols, agg=agg, extra=extra)
    listed = _listed_table(roles, reading)
    if listed is not None:
        return MeasureChoice("list", [listed], entity=listed)
    target = _distinct_target(roles) if roles.distinct_at is not None else None
    if target is not None:
        return target_choice(catalog, roles, target)
    entity_mention = roles.tables.pop(0) if roles.tables else None
    if entity_mention is not None:
        table = entity_mention.of_kind("table")[0].table
        return _entity_choice(catalog, roles, table)
    if roles.booleans:
        m, _neg = roles.booleans[0]
        table = next(c.table for c in m.of_kind("column") if column_kind(catalog, c) == "boolean")
        return _entity_choice(catalog, roles, table)
    for pool in (roles.date_columns, roles.other_columns):
        if pool:
            table = pool[0].of_kind("column")[0].table
            return MeasureChoice("rows", [table], entity=table)
    if reading.mode and roles.dims:
        # "the most common <column>": count the rows of the tables that hold it.
        holders = [c.table for c in roles.dims[-1].of_kind("column")]
        if holders:
            return MeasureChoice("rows", list(dict.fromkeys(holders)), entity=holders[0])
    seen = [*roles.dims, *(m for m, _ in roles.values), *roles.tables]
    understood = ", ".join(f"'{m.text}'" for m in sorted(seen, key=lambda m: m.start))
    raise PlanningError(
        (f"Understood {understood}, but found" if understood else "Found")
        + " nothing to measure: no metric, numeric column or table to count.",
        hint=(
            "Name a metric (e.g. " + ", ".join(m.name for m in catalog.metrics[:3]) + ") or say"
            if catalog.metrics
            else "Name a numeric column or say"
        )
        + " what to count ('how many <table> ...').",
    )


def _listed_table(roles: Roles, reading: Reading) -> str | None:
    """'list the experiments', 'which experiments are running': the rows, not a count."""
    if (
        not roles.listing
        or roles.counting
        or roles.distinct_at is not None
        or roles.agg
        or reading.superlatives
        or reading.grain
        or reading.limit
    ):
        return None
    tables = [m for m in [*roles.tables, *roles.dims] if m.of_kind("table")]
    others = [m for m in roles.dims if m not in tables]
    if not tables or others:
        return None
    m = tables[0]
    for pool in (roles.tables, roles.dims):
        if m in pool:
            pool.remove(m)
    return m.of_kind("table")[0].table


def _distinct_target(roles: Roles) -> Mention | None:
    after = roles.distinct_at or 0
    pools = [
        *roles.tables,
        *(m for m, _ in roles.booleans),
        *roles.other_columns,
        *roles.dims,
        *roles.date_columns,
    ]
    later = sorted((m for m in pools if m.start > after), key=lambda m: m.start)
    # "distinct <table> <column>": the table only says whose column it is.
    if len(later) > 1 and later[0].end == later[1].start and later[0].of_kind("table"):
        owned = {c.table.lower() for c in later[0].of_kind("table")}
        if {c.table.lower() for c in later[1].of_kind("column")} & owned:
            return later[1]
    return later[0] if later else None


def target_choice(catalog: Catalog, roles: Roles, m: Mention) -> MeasureChoice:
    """COUNT(DISTINCT ...) of a table's units or of a column (non-boolean reading preferred)."""
    for pool in (roles.tables, roles.other_columns, roles.dims, roles.date_columns):
        if m in pool:
            pool.remove(m)
    roles.booleans = [(b, n) for b, n in roles.booleans if b is not m]
    if m.of_kind("table"):
        return _entity_choice(catalog, roles, m.of_kind("table")[0].table, distinct=True)
    cols = [
        ColumnRef(c.table, c.column or "")
        for c in m.of_kind("column")
        if column_kind(catalog, c) != "boolean"
    ]
    if not cols:
        cols = [ColumnRef(c.table, c.column or "") for c in m.of_kind("column")]
    return MeasureChoice("count_distinct", _tables_of(cols), columns=cols)


def _entity_choice(
    catalog: Catalog, roles: Roles, table: str, *, distinct: bool = False
) -> MeasureChoice:
    if roles.rows:
        return MeasureChoice("rows", [table], entity=table)
    facts = [ref.table for ref in foreign_keys_to(catalog, table)]
    if roles.active:
        timed = [t for t in facts if (catalog.table(t) and catalog.table(t).time_column)]  # type: ignore[union-attr]
        if timed:
            return MeasureChoice("entity", timed, entity=table)
    return MeasureChoice("entity", [table, *facts], entity=table)


def _cols(m: Mention) -> set[tuple[str, str | None]]:
    return {(c.table, c.column) for c in m.of_kind("column")}


def _tables_of(cols: list[ColumnRef]) -> list[str]:
    return list(dict.fromkeys(c.table for c in cols))
