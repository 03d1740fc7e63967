"""The assigned-units CTE: one row per unit and arm, with its first assignment date."""

from __future__ import annotations

from functools import partial

from tools.catalog.model import ExperimentSource
from tools.experiments.statements.quoting import literal, quote
from tools.experiments.statements.window import ExperimentWindow

# Output column aliases shared by the statements; `arm` and the segment columns come first.
ARM = "arm"
UNITS = "n"


def units_cte(source: ExperimentSource, window: ExperimentWindow, dialect: str) -> str:
    """One row per assigned unit (first assignment date), assigned by the experiment's end."""
    q = partial(quote, dialect=dialect)
    return (
        f"SELECT {q(source.unit_column)} AS {q('unit_id')}, "
        f"{q(source.variant_column)} AS {q(ARM)}, "
        f"MIN({q(source.assigned_date_column)}) AS {q('assigned_on')} "
        f"FROM {q(source.assignment_table)} "
        f"WHERE {q(source.experiment_column)} = {literal(window.experiment_id, dialect)} "
        f"AND {q(source.assigned_date_column)} <= {literal(window.end, dialect)} "
        f"GROUP BY {q(source.unit_column)}, {q(source.variant_column)}"
    )
