"""The assigned-units CTE: one row per unit, its arm and its first assignment date."""

from __future__ import annotations

from functools import partial

from tools.catalog.model import ExperimentSource
from tools.experiments.statements.quoting import literal, quote
from tools.experiments.statements.window import ExperimentWindow

# Output column aliases shared by the statements; `arm` and the segment columns come first.
ARM = "arm"
UNITS = "n"


def units_cte(source: ExperimentSource, window: ExperimentWindow, dialect: str) -> str:
    """One row per unit ever assigned to the experiment.

    `arm` is the unit's variant when it has exactly one, NULL when it has several or none
    (such units are never analysed: counting a unit in two arms doubles its values);
    `arm_count` says which, and `assigned_on` is the first assignment date, whatever it is
    (the statements decide what an assignment outside the window means).
    """
    q = partial(quote, dialect=dialect)
    variant = q(source.variant_column)
    return (
        f"SELECT {q(source.unit_column)} AS {q('unit_id')}, "
        f"CASE WHEN COUNT(DISTINCT {variant}) = 1 THEN MIN({variant}) END AS {q(ARM)}, "
        f"COUNT(DISTINCT {variant}) AS {q('arm_count')}, "
        f"MIN({q(source.assigned_date_column)}) AS {q('assigned_on')} "
        f"FROM {q(source.assignment_table)} "
        f"WHERE {q(source.experiment_column)} = {literal(window.experiment_id, dialect)} "
        f"GROUP BY {q(source.unit_column)}"
    )


def analysed_units_filter(window: ExperimentWindow, dialect: str, alias: str = "u") -> str:
    """The condition on `units_cte` rows that are analysed: one arm, assigned by the end."""
    return (
        f"{alias}.{quote(ARM, dialect)} IS NOT NULL AND "
        f"{alias}.{quote('assigned_on', dialect)} <= {literal(window.end, dialect)}"
    )
