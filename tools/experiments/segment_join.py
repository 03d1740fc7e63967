"""Finding the table that holds segment columns (country, platform …) joined on the unit.

Segments come from a table the catalog declares a join key to, from the assignment table's
unit column or from the metric table's unit column. All requested columns must live in one
table; tables that demand a partition filter are avoided (a segment is a unit attribute,
not a daily fact).
"""

from __future__ import annotations

from collections.abc import Sequence

from tools.catalog.model import Catalog
from tools.did_you_mean import closest
from tools.errors import ExperimentError
from tools.experiments.statements.window import SegmentJoin


def _unit_joins(catalog: Catalog, anchors: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """(table, column) pairs that join to one of the `anchors` (table, unit column)."""
    out: list[tuple[str, str]] = []
    for jk in catalog.join_keys:
        left = (jk.left_table.lower(), jk.left_column.lower())
        right = (jk.right_table.lower(), jk.right_column.lower())
        if left in anchors and (jk.right_table, jk.right_column) not in out:
            out.append((jk.right_table, jk.right_column))
        if right in anchors and (jk.left_table, jk.left_column) not in out:
            out.append((jk.left_table, jk.left_column))
    return out


def find_segment_join(
    catalog: Catalog, columns: Sequence[str], *, metric_table: str, metric_unit: str
) -> SegmentJoin:
    """The join that brings `columns` to each unit; `ExperimentError` if no table has them."""
    if catalog.experiments is None:
        raise ExperimentError("The catalog has no experiment source")
    src = catalog.experiments
    wanted = [c.strip() for c in columns if c.strip()]
    if not wanted:
        raise ExperimentError("No segment columns given", hint="E.g. --segments country")
    anchors = {
        (src.assignment_table.lower(), src.unit_column.lower()),
        (metric_table.lower(), metric_unit.lower()),
    }
    candidates = _unit_joins(catalog, anchors)
    # Prefer tables without a required partition filter: one row per unit, no date needed.
    candidates.sort(key=lambda tc: bool((t := catalog.table(tc[0])) and t.require_partition_filter))
    seen_columns: set[str] = set()
    for table_name, unit_col in candidates:
        table = catalog.table(table_name)
        if table is None or table.require_partition_filter:
            continue
        seen_columns.update(c.name for c in table.columns)
        found = [table.column(c) for c in wanted]
        if all(found):
            return SegmentJoin(
                table=table.name,
                unit_column=unit_col,
                columns=tuple(c.name for c in found if c is not None),
            )
    missing = [c for c in wanted if c not in seen_columns]
    close = {c: closest(c, seen_columns, n=1) for c in missing}
    guess = ", ".join(f"`{m[0]}` for `{c}`" for c, m in close.items() if m)
    raise ExperimentError(
        f"No table joined on the unit has all segment columns {wanted}",
        hint=(f"Did you mean: {guess}? " if guess else "")
        + f"Columns available for segments: {', '.join(sorted(seen_columns)) or 'none'}.",
    )
