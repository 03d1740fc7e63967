"""Daily metric values per arm, aggregated in the warehouse, for the report's time plot.

A day's value for a per-unit metric is the sum of the per-unit daily values over the units
assigned by that day, divided by that number of units (inactive units count as zeros); for
a ratio it is Σ numerator / Σ denominator that day. Winsorisation caps are not applied here:
they act on a unit's whole-window total, not on a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tools.catalog.model import Metric, MetricKind
from tools.experiments.query import fetch_rows
from tools.experiments.statements.daily_statement import (
    assigned_by_day_sql,
    daily_column,
    daily_sql,
)
from tools.experiments.statements.units import ARM, UNITS
from tools.experiments.statements.window import ExperimentWindow

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.warehouse.connection import Warehouse

# metric -> arm -> [(day, value)]
DailySeries = dict[str, dict[str, list[tuple[date, float]]]]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def daily_values(
    sum_rows: Sequence[dict[str, Any]],
    assigned_rows: Sequence[dict[str, Any]],
    metrics: Sequence[Metric],
    window: ExperimentWindow,
) -> DailySeries:
    """Turn per-(arm, day) sums and new assignments per (arm, day) into daily series."""
    new_units: dict[str, dict[date, int]] = {}
    for r in assigned_rows:
        new_units.setdefault(str(r[ARM]), {})[_as_date(r["day"])] = int(r[UNITS])
    sums = {(str(r[ARM]), _as_date(r["day"])): r for r in sum_rows}
    out: DailySeries = {m.name: {} for m in metrics}
    for arm, by_day in sorted(new_units.items()):
        assigned = sum(n for d, n in by_day.items() if d < window.start)
        day = window.start
        while day <= window.end:
            assigned += by_day.get(day, 0)
            row = sums.get((arm, day))
            for m in metrics:
                num = float(row[daily_column(m, "numerator")] or 0) if row else 0.0
                if m.kind is MetricKind.RATIO:
                    den = float(row[daily_column(m, "denominator")] or 0) if row else 0.0
                    value = num / den if den else float("nan")
                else:
                    value = num / assigned if assigned else float("nan")
                out[m.name].setdefault(arm, []).append((day, value))
            day += timedelta(days=1)
    return out


def fetch_daily(
    catalog: Catalog, warehouse: Warehouse, window: ExperimentWindow, metrics: Sequence[Metric]
) -> DailySeries:
    """Daily series of `metrics` (one table) per arm over the experiment window."""
    dialect = warehouse.dialect
    sums = fetch_rows(
        daily_sql(catalog, window, metrics, dialect=dialect),
        catalog,
        warehouse,
        purpose="daily metrics",
    )
    assigned = fetch_rows(
        assigned_by_day_sql(catalog, window, dialect=dialect),
        catalog,
        warehouse,
        purpose="assignments per day",
    )
    return daily_values(sums, assigned, metrics, window)
