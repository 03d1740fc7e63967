"""The planner's view of the warehouse: reference day, data bounds, and sampled values.

Relative dates anchor on the data: when the newest row is older than today, "yesterday" is
the newest day of data (today = last date + 1), so questions about a frozen or lagging
warehouse still mean something.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tools.date_values import as_date
from tools.planner.plan import PlannerContext

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.warehouse.connection import Warehouse


def planner_context(
    catalog: Catalog, warehouse: Warehouse, *, today: date | None = None
) -> PlannerContext:
    """Read the data's date bounds and small value lists; every query goes through the
    validator like any other (run_validated)."""
    start, end = data_bounds(catalog, warehouse)
    real_today = today or date.today()
    anchor = real_today
    if end is not None and real_today > end:
        anchor = date.fromordinal(end.toordinal() + 1)
    return PlannerContext(
        today=anchor,
        data_start=start,
        data_end=end,
        known_values=sampled_values(catalog, warehouse),
        calendar_today=real_today if anchor != real_today else None,
    )


def data_bounds(catalog: Catalog, warehouse: Warehouse) -> tuple[date | None, date | None]:
    """Earliest and latest date over the tables' time columns."""
    from tools.warehouse.run import run_validated

    lows: list[date] = []
    highs: list[date] = []
    for t in catalog.tables:
        if not t.time_column:
            continue
        col = t.time_column
        sql = f'SELECT MIN("{col}"), MAX("{col}") FROM "{t.name}"'
        if t.require_partition_filter and t.partition_column:
            # The validator insists on a range on the partition column; an open one reads all.
            sql += f" WHERE \"{t.partition_column}\" >= CAST('0001-01-01' AS DATE)"
        # Written with standard double-quoted identifiers (in Spark they would be strings).
        _report, result = run_validated(
            sql, catalog, warehouse, read_dialect="postgres", default_limit=None, explain=False
        )
        if result is None or not result.rows:
            continue
        lo, hi = result.rows[0][0], result.rows[0][1]
        if lo is not None:
            lows.append(as_date(lo))
        if hi is not None:
            highs.append(as_date(hi))
    return (min(lows) if lows else None), (max(highs) if highs else None)


def sampled_values(catalog: Catalog, warehouse: Warehouse) -> dict[tuple[str, str], list[str]]:
    """Value lists of the string columns the catalog leaves unlisted, on tables small enough
    to scan (no required partition filter), by the same rule `lablens init` uses."""
    from tools.catalog.value_sample import MAX_VALUES, distinct_values_sql, is_text_type, value_list
    from tools.warehouse.run import run_validated

    out: dict[tuple[str, str], list[str]] = {}
    for t in catalog.tables:
        if t.require_partition_filter:
            continue
        for c in t.columns:
            if c.values is not None or not is_text_type(c.type):
                continue
            sql = distinct_values_sql(t.name, c.name, limit=MAX_VALUES + 1)
            _report, result = run_validated(
                sql, catalog, warehouse, read_dialect="postgres", default_limit=None, explain=False
            )
            values = value_list([r[0] for r in result.rows]) if result is not None else None
            if values:
                out[(t.name, c.name)] = values
    out.update(entity_names(catalog, warehouse))
    return out


MAX_NAMES = 20_000  # names of an entity table read for lookups ("when did <name> end?")


def entity_names(catalog: Catalog, warehouse: Warehouse) -> dict[tuple[str, str], list[str]]:
    """The names in each table's `name_column`, so a question can name one row."""
    from tools.catalog.value_sample import distinct_values_sql
    from tools.warehouse.run import run_validated

    out: dict[tuple[str, str], list[str]] = {}
    for t in catalog.tables:
        if not t.name_column or t.require_partition_filter:
            continue
        sql = distinct_values_sql(t.name, t.name_column, limit=MAX_NAMES)
        _report, result = run_validated(sql, catalog, warehouse, default_limit=None, explain=False)
        if result is not None:
            names = [str(r[0]) for r in result.rows if 0 < len(str(r[0])) <= 60]
            out[(t.name, t.name_column)] = names
    return out
