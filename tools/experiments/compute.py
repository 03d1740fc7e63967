"""Computing an analysis from collected sums: pure, no warehouse (`collect` is the I/O half).

Primary and secondary comparisons of every arm form one multiple-testing family (Holm by
default); guardrails are not adjusted (see `stats.verdict`). CUPED is used when the sums
carry a pre-period and every arm has pre-period rows. Segment breakdowns (primary metric and
guardrails, per value of the segment columns) are descriptive: no adjustment, no verdict.
Units per arm (the SRM input) are the statistics statement's `n`.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from tools.catalog.model import Metric
from tools.errors import ExperimentError
from tools.experiments.collect import CollectedSums, TableSums
from tools.experiments.results import ExperimentAnalysis, MetricResult, SegmentResult
from tools.experiments.source import ExperimentMeta
from tools.experiments.statements.stats_statement import POST_ROWS, PRE_ROWS, StatsLayout
from tools.experiments.statements.units import ARM, UNITS
from tools.experiments.stats.arms import ArmStats, compare_arms
from tools.experiments.stats.estimate import EffectEstimate
from tools.experiments.stats.srm import SrmResult, parse_traffic_split, srm_test
from tools.experiments.stats.sufficient import stats_from_sums
from tools.experiments.stats.verdict import (
    MetricComparison,
    adjust_comparisons,
    decide_verdict,
)


def arm_stats(layout: StatsLayout, row: dict[str, Any], metric: Metric, *, cuped: bool) -> ArmStats:
    """The stats object of one arm (one result row) for `metric`."""
    # Pre-period sums in the row are simply not read when `cuped` is off.
    sums = {name: row[alias] for (m, name), alias in layout.sums.items() if m == metric.name}
    return stats_from_sums(metric.kind.value, int(row[UNITS]), sums, cuped=cuped)


def compare_metric(
    layout: StatsLayout,
    rows: dict[str, dict[str, Any]],
    metric: Metric,
    control: str,
    *,
    cuped: bool,
    alpha: float,
) -> dict[str, EffectEstimate]:
    stats = {arm: arm_stats(layout, row, metric, cuped=cuped) for arm, row in rows.items()}
    return compare_arms(stats, control, alpha=alpha)


def check_arms(counts: dict[str, int], control: str, experiment_id: str) -> None:
    """`ExperimentError` when there are no units, one arm only, or no control arm."""
    if sum(counts.values()) == 0:
        raise ExperimentError(
            f"Experiment {experiment_id!r} has no assigned units",
            hint="Check the assignment table and the experiment's dates.",
        )
    if len(counts) < 2:
        raise ExperimentError(
            f"Experiment {experiment_id!r} has one arm only ({', '.join(counts)}): there is "
            "nothing to compare",
            hint="An experiment needs a control and at least one "
            "treatment arm with assigned units.",
        )
    if control not in counts:
        raise ExperimentError(
            f"Experiment {experiment_id!r} has no {control!r} arm (arms: {', '.join(counts)})",
            hint="Set the catalog's experiments.control_variant.",
        )


def _scope_text(meta: ExperimentMeta) -> str:
    if not meta.scope:
        return ""
    return " where " + " and ".join(f"{k} = {v!r}" for k, v in meta.scope.items())


def _arms_and_srm(
    first: TableSums, meta: ExperimentMeta, control: str
) -> tuple[dict[str, int], SrmResult | None, list[str]]:
    # Units per arm (the SRM check's input) are the statistics query's n: every assigned
    # unit counts, active or not, so no separate counting query is needed.
    counts = {str(r[ARM]): int(r[UNITS]) for r in first.rows}
    check_arms(counts, control, meta.experiment_id)
    arms = {control: counts[control], **{a: n for a, n in counts.items() if a != control}}
    if meta.traffic_split:
        return arms, srm_test(arms, parse_traffic_split(meta.traffic_split)), []
    return arms, None, ["no traffic split configured: sample ratio mismatch not checked"]


def compute_analysis(
    collected: CollectedSums,
    *,
    alpha: float = 0.05,
    correction: str = "holm",
    cuped_requested: bool = True,
) -> ExperimentAnalysis:
    """The analysis of `collected` (pure); `ExperimentError` on data that cannot be analysed."""
    meta, roles, control = collected.meta, collected.roles, collected.control
    if not collected.tables:
        raise ExperimentError(f"Experiment {meta.experiment_id!r} has no metric to analyse")
    arms, srm, srm_notes = _arms_and_srm(collected.tables[0], meta, control)
    notes = [*srm_notes, *collected.notes]
    comparisons: list[MetricComparison] = []
    any_cuped = False
    for sums in collected.tables:
        rows_by_arm = {str(r[ARM]): r for r in sums.rows}
        if sum(int(r[POST_ROWS] or 0) for r in sums.rows) == 0:
            raise ExperimentError(
                f"No rows of {sums.table} for experiment {meta.experiment_id!r} between "
                f"{meta.start} and {meta.end}" + _scope_text(meta),
                hint="Check the experiment's dates and scope, and that the table is loaded.",
            )
        layout = sums.layout
        use_cuped = layout.cuped and all(int(r.get(PRE_ROWS) or 0) > 0 for r in sums.rows)
        if layout.cuped and not use_cuped:
            notes.append(f"{sums.table}: an arm has no pre-period rows; CUPED not applied")
        any_cuped = any_cuped or use_cuped
        for metric in layout.metrics:
            role = next(r for m, r in roles if m.name == metric.name)
            try:
                estimates = compare_metric(
                    layout, rows_by_arm, metric, control, cuped=use_cuped, alpha=alpha
                )
            except ExperimentError as exc:
                if role != "secondary":
                    raise
                notes.append(f"{metric.name} skipped: {exc.message}")
                continue
            comparisons += [
                MetricComparison(
                    metric=metric.name,
                    arm=arm,
                    role=role,
                    higher_is_better=metric.higher_is_better,
                    estimate=est,
                )
                for arm, est in estimates.items()
            ]

    adjusted = adjust_comparisons(comparisons, correction)
    verdict = decide_verdict(adjusted, srm=srm, alpha=alpha)
    kinds = {m.name: m.kind.value for m, _ in roles}
    results = [
        MetricResult(
            metric=c.metric,
            kind=kinds[c.metric],
            role=c.role,
            variant=c.arm,
            higher_is_better=c.higher_is_better,
            estimate=c.estimate,
            p_adjusted=c.adjusted_p_value,
            significant=c.is_significant(alpha),
        )
        for c in adjusted
    ]
    window = collected.window
    analysis = ExperimentAnalysis(
        meta=meta,
        control=control,
        arms=arms,
        srm=srm,
        metrics=results,
        verdict=verdict,
        cuped_requested=cuped_requested,
        alpha=alpha,
        correction=correction,
        notes=notes,
        sql=list(collected.sql),
        pre_period=(
            None
            if window.pre_start is None or not any_cuped
            else (window.pre_start.isoformat(), (meta.start - timedelta(days=1)).isoformat())
        ),
    )
    for pairs, sums in collected.segments:
        if sums.segment is not None:
            analysis.segment_columns = sums.segment.columns
        _segment_results(analysis, pairs, sums)
    analysis.segments.sort(key=lambda s: tuple(str(v) for v in s.values.values()))
    return analysis


def _segment_results(
    analysis: ExperimentAnalysis, pairs: list[tuple[Metric, str]], sums: TableSums
) -> None:
    """Add (or extend) one `SegmentResult` per segment value in `sums` (descriptive only)."""
    columns = sums.segment.columns if sums.segment is not None else ()
    layout = sums.layout
    existing = {tuple(s.values.values()): i for i, s in enumerate(analysis.segments)}
    groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for row in sums.rows:
        groups.setdefault(tuple(row[c] for c in columns), {})[str(row[ARM])] = row
    for key, arm_rows in groups.items():
        if key not in existing:
            existing[key] = len(analysis.segments)
            analysis.segments.append(
                SegmentResult(
                    values=dict(zip(columns, key, strict=True)),
                    units={a: int(r[UNITS]) for a, r in arm_rows.items()},
                    metrics=[],
                )
            )
        seg = analysis.segments[existing[key]]
        use_cuped = layout.cuped and all(int(r.get(PRE_ROWS) or 0) > 0 for r in arm_rows.values())
        for metric, role in pairs:
            try:
                check_arms(seg.units, analysis.control, analysis.meta.experiment_id)
                estimates = compare_metric(
                    layout,
                    arm_rows,
                    metric,
                    analysis.control,
                    cuped=use_cuped,
                    alpha=analysis.alpha,
                )
            except ExperimentError as exc:
                analysis.segments[existing[key]] = SegmentResult(
                    seg.values, seg.units, seg.metrics, skipped=exc.message
                )
                break
            for arm, est in estimates.items():
                p = est.p_value
                seg.metrics.append(
                    MetricResult(
                        metric=metric.name,
                        kind=metric.kind.value,
                        role=role,
                        variant=arm,
                        higher_is_better=metric.higher_is_better,
                        estimate=est,
                        p_adjusted=None,
                        significant=not math.isnan(p) and p < analysis.alpha,
                    )
                )
