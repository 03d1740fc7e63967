"""The table that lists every unit of the experiment (e.g. users), found from the catalog.

It is the table joined on the assignment table's unit column (a catalog join key) that needs
no partition filter and declares that column as its unit; assigned units it lacks are
counted by the health checks (a unit the platform does not know is a logging problem).
"""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.experiments.statements.stats_layout import UnitTable


def find_unit_table(catalog: Catalog) -> UnitTable | None:
    """The unit table, or None when the catalog declares none."""
    source = catalog.experiments
    if source is None:
        return None
    anchor = (source.assignment_table.lower(), source.unit_column.lower())
    for jk in catalog.join_keys:
        sides = [
            ((jk.left_table, jk.left_column), (jk.right_table, jk.right_column)),
            ((jk.right_table, jk.right_column), (jk.left_table, jk.left_column)),
        ]
        for (t1, c1), (t2, c2) in sides:
            if (t1.lower(), c1.lower()) != anchor:
                continue
            table = catalog.table(t2)
            if (
                table is not None
                and not table.require_partition_filter
                and table.unit_column is not None
                and table.unit_column.lower() == c2.lower()
            ):
                return UnitTable(table=table.name, column=c2)
    return None
