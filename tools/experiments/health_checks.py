"""Health checks and caps of one analysis, read from the statistics statement's rows:
what `compute_analysis` reports before any estimate (see `stats/health.py` for the checks).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.catalog.model import Metric
from tools.date_values import as_date
from tools.errors import ExperimentError
from tools.experiments.collect import CollectedSums, TableSums
from tools.experiments.results import Cap
from tools.experiments.source import ExperimentMeta
from tools.experiments.statement_rows import arm_stats, row_count_of
from tools.experiments.statements.stats_layout import (
    AFTER_END,
    BEFORE_START,
    FIRST_PRE_DAY,
    LAST_DAY,
    NO_VARIANT,
    NOT_IN_UNIT_TABLE,
    POST_ROWS,
    SEVERAL_ARMS,
    StatsLayout,
)
from tools.experiments.statements.units import ARM
from tools.experiments.stats import health
from tools.experiments.stats.arms import compare_arms
from tools.experiments.stats.estimate import MIN_UNITS_PER_ARM
from tools.experiments.stats.srm import SrmResult, parse_traffic_split, split_weights, srm_test
from tools.experiments.stats.sufficient import (
    CupedRatioStats,
    CupedStats,
    MeanStats,
)
from tools.experiments.stats.welch import compare_means

# CUPED needs a pre-period for most units; below this share of units with pre-period rows
# in any arm the adjustment is skipped (its covariate would be mostly zeros).


def scope_text(meta: ExperimentMeta) -> str:
    if not meta.scope:
        return ""
    return " where " + " and ".join(f"{k} = {v!r}" for k, v in meta.scope.items())


def optional_date(value: object) -> date | None:
    """A missing day (no rows in a window) stays None; anything else is the shared coercion."""
    return None if value is None else as_date(value)


def srm_check(arms: dict[str, int], meta: ExperimentMeta) -> tuple[SrmResult | None, list[str]]:
    if not meta.traffic_split:
        return None, ["no traffic split configured: sample ratio mismatch not checked"]
    split = parse_traffic_split(meta.traffic_split)
    known = {a: n for a, n in arms.items() if a in split}
    return srm_test(known, split), []


def table_health(
    sums: TableSums, collected: CollectedSums, counts: dict[str, int]
) -> list[health.HealthCheck]:
    """The checks read from the primary table's statement."""
    meta, window = collected.meta, collected.window
    rows = [r for r in sums.rows if r[ARM] is not None]
    everything = sums.rows
    layout = sums.layout
    split = split_weights(meta.traffic_split) if meta.traffic_split else None
    checks = [
        health.duplicate_metadata(
            collected.metadata_rows, collected.metadata_identical, collected.metadata_table
        ),
        health.traffic_split(split, meta.traffic_split),
        health.multiple_exposure(
            sum(row_count_of(r, SEVERAL_ARMS) for r in everything), sum(counts.values())
        ),
        health.variants(
            sum(row_count_of(r, NO_VARIANT) for r in everything),
            counts,
            list(split) if split is not None else None,
        ),
        health.assignment_window(
            sum(row_count_of(r, BEFORE_START) for r in rows),
            sum(row_count_of(r, AFTER_END) for r in everything),
            sum(counts.values()),
            meta.start,
            meta.end,
        ),
        health.unit_table(
            layout.unit_table,
            {str(r[ARM]): row_count_of(r, NOT_IN_UNIT_TABLE) for r in rows},
            counts,
        ),
        health.data_window(
            max(
                (d for r in rows if (d := optional_date(r.get(LAST_DAY))) is not None), default=None
            ),
            min(
                (d for r in rows if (d := optional_date(r.get(FIRST_PRE_DAY))) is not None),
                default=None,
            ),
            meta.start,
            meta.end,
            window.pre_start if layout.cuped else None,
        ),
        health.missing_values(
            {
                col: {str(r[ARM]): row_count_of(r, alias) for r in rows}
                for col, alias in layout.nulls.items()
            },
            {str(r[ARM]): row_count_of(r, POST_ROWS) for r in rows},
        ),
    ]
    return checks


def caps_of(sums: TableSums) -> list[Cap]:
    row = next((r for r in sums.rows if r[ARM] is not None), None)
    out = []
    for metric, (column, fixed, level) in sums.layout.caps.items():
        value = fixed if column is None else (row or {}).get(column)
        if value is not None:
            out.append(Cap(metric=metric, value=float(value), level=level))
    return out


def concentration_check(
    sums: TableSums, rows_by_arm: dict[str, dict[str, Any]], control: str, alpha: float
) -> tuple[health.HealthCheck | None, list[str]]:
    """The concentration check of the primary metric, and the arms it flags."""
    layout = sums.layout
    metric = next((m for m in layout.metrics if m.name == layout.top_metric), None)
    if metric is None or control not in rows_by_arm:
        return None, []
    stats = {
        a: s
        for a, r in rows_by_arm.items()
        if isinstance(s := arm_stats(layout, r, metric, cuped=False), MeanStats)
    }
    ctrl = stats.get(control)
    shares: dict[str, dict[float, float]] = {}
    for arm, st in stats.items():
        if ctrl is None or arm == control or min(st.n, ctrl.n) < MIN_UNITS_PER_ARM:
            continue
        est = compare_means(ctrl, st, alpha=alpha)
        if not est.testable or not est.p_value < alpha:
            continue  # no effect to attribute
        by_top: dict[float, float] = {}
        for share, (s_alias, n_alias) in layout.top.items():
            k_c, k_t = (
                row_count_of(rows_by_arm[control], n_alias),
                row_count_of(rows_by_arm[arm], n_alias),
            )
            top_c = float(rows_by_arm[control].get(s_alias) or 0) + k_c * ctrl.shift
            top_t = float(rows_by_arm[arm].get(s_alias) or 0) + k_t * st.shift
            by_top[share] = health.effect_share(
                ctrl.mean, st.mean, ctrl.n, st.n, (top_c, k_c), (top_t, k_t)
            )
        shares[arm] = by_top
    check = health.concentration(metric.name, shares)
    flagged = [
        a for a, by in shares.items() if any(s > health.CONCENTRATION_SHARE for s in by.values())
    ]
    return check, flagged


def pre_balance_check(
    layout: StatsLayout,
    rows_by_arm: dict[str, dict[str, Any]],
    metrics: list[Metric],
    control: str,
    alpha: float,
) -> tuple[list[tuple[str, str, float]], int]:
    out, checked = [], 0
    for metric in metrics:
        try:
            stats = {a: arm_stats(layout, r, metric, cuped=True) for a, r in rows_by_arm.items()}
            pre = {
                a: s.pre() for a, s in stats.items() if isinstance(s, CupedStats | CupedRatioStats)
            }
            if control not in pre or pre[control].n < MIN_UNITS_PER_ARM:
                continue
            testable = {a: p for a, p in pre.items() if p.n >= MIN_UNITS_PER_ARM}
            for arm, est in compare_arms(testable, control, alpha=alpha).items():
                checked += 1
                if est.testable and est.p_value < health.IMBALANCE_P:
                    out.append((metric.name, arm, est.p_value))
        except ExperimentError:
            continue
    return out, checked
