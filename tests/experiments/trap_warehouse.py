"""Small DuckDB warehouses with one planted data problem each, built on the fly.

The schema is deliberately not the demo's (members, activity, trials, trial_units), so the
tests also prove that nothing in `tools/` relies on demo names. A clean warehouse holds
`n_per_arm` units per arm, a 14-day experiment and a 14-day pre-period; each member has a
propensity drawn once (so the pre-period predicts the experiment period, as in real data),
and treatment multiplies daily orders by `1 + lift` from the unit's assignment day on.
A trap is a function that edits the frames before they are written.

Metrics: `orders_per_member` (mean, the primary), `revenue_per_member` (mean),
`visits_per_member` (mean), `active_days` (COUNT(DISTINCT day)), `error_rate` (ratio,
lower is better, the guardrail, with a 10 % non-inferiority margin) and
`revenue_per_order` (ratio).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from tools.catalog.load import parse_catalog
from tools.catalog.model import Catalog
from tools.experiments.analyze import analyze_experiment
from tools.experiments.results import ExperimentAnalysis
from tools.warehouse.connection import Warehouse, WarehouseConfig, open_warehouse

START = date(2026, 3, 1)
DAYS = 14
PRE_DAYS = 14
TRIAL = "trial_one"


@dataclass
class Frames:
    """The tables of one trap warehouse, editable before they are written."""

    members: pd.DataFrame
    activity: pd.DataFrame
    trials: pd.DataFrame
    trial_units: pd.DataFrame
    rng: np.random.Generator
    extra_metrics: list[str] = field(default_factory=list)
    metric_fields: dict[str, dict[str, Any]] = field(default_factory=dict)

    def treated(self) -> pd.Series:
        return self.trial_units["arm"] == "treatment"


def clean_frames(
    *, n_per_arm: int = 1500, lift: float = 0.10, seed: int = 1, dense: bool = False
) -> Frames:
    """A clean two-arm experiment; `dense` gives every member a row on every day."""
    rng = np.random.default_rng(seed)
    n = 2 * n_per_arm
    ids = np.arange(1, n + 1, dtype=np.int64)
    arms = np.where(ids % 2 == 0, "treatment", "control")
    assigned = [START + timedelta(days=int(d)) for d in rng.integers(0, 3, n)]
    propensity = rng.gamma(2.0, 1.0, n)
    days = [START - timedelta(days=PRE_DAYS) + timedelta(days=i) for i in range(PRE_DAYS + DAYS)]
    unit = np.repeat(ids, len(days))
    day = np.tile(np.array(days, dtype="datetime64[D]"), n)
    lam = np.repeat(propensity, len(days))
    after = day >= np.repeat(np.array(assigned, dtype="datetime64[D]"), len(days))
    effect = np.where(np.repeat(arms == "treatment", len(days)) & after, 1 + lift, 1.0)
    visits = rng.poisson(lam * 0.8)
    if dense:
        visits = visits + 1
    orders = rng.poisson(lam * 0.3 * effect)
    revenue = orders * 20.0 * rng.lognormal(0.0, 0.1, len(orders))
    errors = rng.binomial(visits, 0.1)
    activity = pd.DataFrame(
        {
            "day": pd.to_datetime(day).date,
            "member_id": unit,
            "visits": visits.astype(np.int64),
            "orders": orders.astype("float64"),
            "revenue": revenue,
            "errors": errors.astype(np.int64),
        }
    )
    activity = activity[activity["visits"] > 0].reset_index(drop=True)
    members = pd.DataFrame(
        {"member_id": ids, "region": rng.choice(["north", "south", "east", "west"], n)}
    )
    trials = pd.DataFrame(
        {
            "trial_id": [TRIAL],
            "title": ["Trap trial"],
            "start_on": [START],
            "end_on": [START + timedelta(days=DAYS - 1)],
            "primary_metric": ["orders_per_member"],
            "guardrails": ["error_rate"],
            "split": ["control:50,treatment:50"],
            "state": ["completed"],
        }
    )
    trial_units = pd.DataFrame(
        {"trial_id": TRIAL, "member_id": ids, "arm": arms, "assigned_on": assigned}
    )
    return Frames(members, activity, trials, trial_units, rng)


_CATALOG = """
version: 1
name: traps
dialect: duckdb
tables:
  - name: members
    unit_column: member_id
    columns:
      - {name: member_id, type: BIGINT}
      - {name: region, type: VARCHAR, values: [north, south, east, west]}
  - name: activity
    partition_column: day
    require_partition_filter: true
    time_column: day
    unit_column: member_id
    columns:
      - {name: day, type: DATE, is_date: true}
      - {name: member_id, type: BIGINT}
      - {name: visits, type: BIGINT}
      - {name: orders, type: DOUBLE}
      - {name: revenue, type: DOUBLE}
      - {name: errors, type: BIGINT}
  - name: trials
    columns:
      - {name: trial_id, type: VARCHAR}
      - {name: title, type: VARCHAR}
      - {name: start_on, type: DATE, is_date: true}
      - {name: end_on, type: DATE, is_date: true}
      - {name: primary_metric, type: VARCHAR}
      - {name: guardrails, type: VARCHAR}
      - {name: split, type: VARCHAR}
      - {name: state, type: VARCHAR}
  - name: trial_units
    columns:
      - {name: trial_id, type: VARCHAR}
      - {name: member_id, type: BIGINT}
      - {name: arm, type: VARCHAR}
      - {name: assigned_on, type: DATE, is_date: true}
join_keys:
  - {left_table: trial_units, left_column: member_id, right_table: members, right_column: member_id}
  - {left_table: activity, left_column: member_id, right_table: members, right_column: member_id}
metrics:
{metrics}
experiments:
  assignment_table: trial_units
  experiment_column: trial_id
  unit_column: member_id
  variant_column: arm
  assigned_date_column: assigned_on
  control_variant: control
  metadata_table: trials
  metadata_id_column: trial_id
  name_column: title
  start_date_column: start_on
  end_date_column: end_on
  primary_metric_column: primary_metric
  guardrail_metrics_column: guardrails
  traffic_split_column: split
  status_column: state
  pre_period_days: 14
"""

_METRICS: dict[str, dict[str, Any]] = {
    "orders_per_member": {"kind": "mean", "numerator": "SUM(orders)"},
    "revenue_per_member": {"kind": "mean", "numerator": "SUM(revenue)"},
    "visits_per_member": {"kind": "mean", "numerator": "SUM(visits)"},
    "active_days": {"kind": "mean", "numerator": "COUNT(DISTINCT day)"},
    "error_rate": {
        "kind": "ratio",
        "numerator": "SUM(errors)",
        "denominator": "SUM(visits)",
        "higher_is_better": False,
        "guardrail_margin": 0.1,
    },
    "revenue_per_order": {
        "kind": "ratio",
        "numerator": "SUM(revenue)",
        "denominator": "SUM(orders)",
    },
}


def _metric_yaml(name: str, fields: dict[str, Any]) -> str:
    body = {"name": name, "table": "activity", "unit": "member_id", **fields}
    parts = []
    for key, value in body.items():
        text = str(value).lower() if isinstance(value, bool) else value
        parts.append(f"{key}: {text!r}" if isinstance(text, str) else f"{key}: {text}")
    return "  - {" + ", ".join(p.replace("'", '"') for p in parts) + "}"


def catalog_text(frames: Frames) -> str:
    metrics = dict(_METRICS)
    for i, name in enumerate(frames.extra_metrics):
        # Unrelated metrics a team adds over time: each one a different view of the rows.
        metrics[name] = {"kind": "mean", "numerator": f"SUM(visits * {i + 2} + errors)"}
    lines = [
        _metric_yaml(name, {**fields, **frames.metric_fields.get(name, {})})
        for name, fields in metrics.items()
    ]
    return _CATALOG.replace("{metrics}", "\n".join(lines))


@dataclass
class TrapWarehouse:
    path: Path
    catalog: Catalog

    @contextmanager
    def open(self) -> Iterator[Warehouse]:
        with open_warehouse(WarehouseConfig(path=self.path), self.path.parent) as wh:
            yield wh

    def analyze(self, **kwargs: Any) -> ExperimentAnalysis:
        with self.open() as wh:
            return analyze_experiment(self.catalog, wh, TRIAL, **kwargs)


def write_trap(folder: Path, frames: Frames) -> TrapWarehouse:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "trap.duckdb"
    con = duckdb.connect(str(path))
    try:
        for name in ("members", "activity", "trials", "trial_units"):
            frame = getattr(frames, name)  # noqa: F841  (read by DuckDB's replacement scan)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        con.execute("ALTER TABLE activity ALTER COLUMN day TYPE DATE")
        con.execute("ALTER TABLE trial_units ALTER COLUMN assigned_on TYPE DATE")
        con.execute("ALTER TABLE trials ALTER COLUMN start_on TYPE DATE")
        con.execute("ALTER TABLE trials ALTER COLUMN end_on TYPE DATE")
    finally:
        con.close()
    return TrapWarehouse(path, parse_catalog(catalog_text(frames), source="traps.yaml"))


def build_trap(
    folder: Path, trap: Callable[[Frames], None] | None = None, **clean: Any
) -> TrapWarehouse:
    """A warehouse in `folder`: the clean frames (keyword arguments), edited by `trap`."""
    frames = clean_frames(**clean)
    if trap is not None:
        trap(frames)
    return write_trap(folder, frames)
