"""Daily per-arm sums of metric numerators and denominators, and new assignments per day."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from tools.catalog.model import Catalog, Metric
from tools.experiments.statements.experiment_source import experiment_source
from tools.experiments.statements.quoting import literal, qualified, quote
from tools.experiments.statements.units import ARM, UNITS, analysed_units_filter, units_cte
from tools.experiments.statements.window import ExperimentWindow, date_column, metric_table


def daily_column(metric: Metric, part: str) -> str:
    """The daily statement's column for a metric's "numerator" or "denominator"."""
    return f"{metric.name}_{part}"


def daily_sql(
    catalog: Catalog,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    dialect: str = "duckdb",
) -> str:
    """Per arm and day: each metric's numerator (and denominator) summed over the units
    active that day since their assignment. Columns: arm, day, and per metric
    `<metric>_numerator` (and `<metric>_denominator`)."""
    source = experiment_source(catalog)
    table = metric_table(catalog, metrics)
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt = q(date_column(table, source))
    unit = q(metrics[0].unit)
    per_unit_day, final = [], []
    for metric in metrics:
        parts = [("numerator", metric.numerator)]
        if metric.denominator:
            parts.append(("denominator", metric.denominator))
        for name, expression in parts:
            value = qualified(expression, "e", dialect)
            column = q(daily_column(metric, name))
            per_unit_day.append(f"{value} AS {column}")
            final.append(f"SUM(d.{column}) AS {column}")
    scope = "".join(f" AND {q(col)} = {lit(value)}" for col, value in window.scope.items())
    return (
        f"WITH all_units AS ({units_cte(source, window, dialect)}),\n"
        f"u AS ({_analysed(window, dialect)}),\n"
        f"e AS (SELECT * FROM {q(table.name)} WHERE {dt} BETWEEN {lit(window.start)} AND "
        f"{lit(window.end)}{scope}),\n"
        f"d AS (SELECT u.{q(ARM)} AS {q(ARM)}, e.{dt} AS {q('day')}, "
        + ", ".join(per_unit_day)
        + f" FROM u JOIN e ON e.{unit} = u.{q('unit_id')} AND e.{dt} >= u.{q('assigned_on')}"
        f" GROUP BY u.{q(ARM)}, e.{dt}, u.{q('unit_id')})\n"
        f"SELECT d.{q(ARM)} AS {q(ARM)}, d.{q('day')} AS {q('day')}, "
        + ", ".join(final)
        + f" FROM d GROUP BY d.{q(ARM)}, d.{q('day')} ORDER BY d.{q(ARM)}, d.{q('day')}"
    )


def assigned_by_day_sql(
    catalog: Catalog, window: ExperimentWindow, *, dialect: str = "duckdb"
) -> str:
    """Units newly assigned per arm and day (cumulated in Python for daily per-unit means)."""
    q = partial(quote, dialect=dialect)
    return (
        f"WITH all_units AS ({units_cte(experiment_source(catalog), window, dialect)}),\n"
        f"u AS ({_analysed(window, dialect)})\n"
        f"SELECT u.{q(ARM)} AS {q(ARM)}, u.{q('assigned_on')} AS {q('day')}, "
        f"COUNT(*) AS {q(UNITS)} FROM u GROUP BY u.{q(ARM)}, u.{q('assigned_on')} "
        f"ORDER BY u.{q(ARM)}, u.{q('assigned_on')}"
    )


def _analysed(window: ExperimentWindow, dialect: str) -> str:
    """The analysed units of `all_units`: one arm each, assigned by the end."""
    q = partial(quote, dialect=dialect)
    columns = ", ".join(f"u.{q(c)} AS {q(c)}" for c in ("unit_id", ARM, "assigned_on"))
    return f"SELECT {columns} FROM all_units AS u WHERE {analysed_units_filter(window, dialect)}"
