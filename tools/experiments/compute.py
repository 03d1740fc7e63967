"""Computing an analysis from collected sums: pure, no warehouse (`collect` is the I/O half).

Health checks first (`stats.health`, over the counts the statistics statement returns),
then the comparisons, the families and the verdict (`stats.verdict`). CUPED cannot hurt: it
is used when the sums carry a pre-period that most units have (`CUPED_MIN_COVERAGE`), and a
metric whose variance it would raise falls back to the unadjusted estimate, with a note.
Segment breakdowns (primary metric and guardrails, per segment value) are descriptive: no
adjustment, no verdict. Units per arm (the SRM input) are the statistics statement's `n`.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from tools.catalog.model import Metric
from tools.errors import ExperimentError
from tools.experiments.collect import CollectedSums, TableSums
from tools.experiments.health_checks import (
    caps_of,
    concentration_check,
    pre_balance_check,
    scope_text,
    srm_check,
    table_health,
)
from tools.experiments.results import ExperimentAnalysis, MetricResult, SegmentResult
from tools.experiments.statement_rows import arm_stats, row_count_of
from tools.experiments.statements.stats_layout import (
    POST_ROWS,
    PRE_ROWS,
    PRE_UNITS,
    StatsLayout,
)
from tools.experiments.statements.units import ARM, UNITS
from tools.experiments.stats import health
from tools.experiments.stats.arms import ArmStats, compare_arms
from tools.experiments.stats.estimate import MIN_UNITS_PER_ARM, EffectEstimate, untestable
from tools.experiments.stats.sufficient import (
    CupedRatioStats,
    RatioStats,
)
from tools.experiments.stats.verdict import MetricComparison, adjust_comparisons, decide_verdict

# CUPED needs a pre-period for most units; below this share of units with pre-period rows
# in any arm the adjustment is skipped (its covariate would be mostly zeros).
CUPED_MIN_COVERAGE = 0.5


def _value(stats: ArmStats) -> float:
    if isinstance(stats, RatioStats | CupedRatioStats):
        den = stats.shift_y * stats.n + stats.sum_y
        return (stats.shift_x * stats.n + stats.sum_x) / den if den else math.nan
    return stats.mean if stats.n else math.nan


def _zero(shifted: float, centred: float) -> bool:
    """Whether shifted + centred (a raw sum from its centred form) is 0 up to rounding."""
    return abs(shifted + centred) <= 1e-9 * (abs(shifted) + abs(centred))


def _untestable_reason(metric: Metric, arm: str, stats: ArmStats) -> str | None:
    if stats.n < MIN_UNITS_PER_ARM:
        return f"{arm} has {stats.n} units (at least {MIN_UNITS_PER_ARM} per arm are needed)"
    if isinstance(stats, RatioStats | CupedRatioStats) and _zero(
        stats.shift_y * stats.n, stats.sum_y
    ):
        return f"the denominator of {metric.name} sums to 0 in {arm}"
    return None


def compare_metric(
    layout: StatsLayout,
    rows: dict[str, dict[str, Any]],
    metric: Metric,
    control: str,
    *,
    cuped: bool,
    alpha: float,
) -> dict[str, EffectEstimate]:
    """Every treatment arm against control; arms that cannot be tested get `untestable`."""
    stats = {arm: arm_stats(layout, row, metric, cuped=cuped) for arm, row in rows.items()}
    reasons = {arm: _untestable_reason(metric, arm, st) for arm, st in stats.items()}
    method = f"{metric.kind.value}{'_cuped' if cuped else ''}"

    def dud(arm: str, reason: str) -> EffectEstimate:
        return untestable(
            method,
            stats[control].n,
            stats[arm].n,
            _value(stats[control]),
            _value(stats[arm]),
            alpha=alpha,
            reason=reason,
        )

    if reasons[control] is not None:
        return {a: dud(a, reasons[control] or "") for a in stats if a != control}
    testable = {a: s for a, s in stats.items() if reasons[a] is None}
    out: dict[str, EffectEstimate] = {}
    try:
        out.update(compare_arms(testable, control, alpha=alpha) if len(testable) > 1 else {})
    except ExperimentError as exc:
        return {a: dud(a, exc.message) for a in stats if a != control}
    for arm, reason in reasons.items():
        if reason is not None:
            out[arm] = dud(arm, reason)
    return {a: out[a] for a in stats if a != control}


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
    first = collected.tables[0]
    counts = {str(r[ARM]): int(r[UNITS]) for r in first.rows if r[ARM] is not None}
    check_arms(counts, control, meta.experiment_id)
    arms = {control: counts[control], **{a: n for a, n in counts.items() if a != control}}
    srm, notes = srm_check(arms, meta)
    notes += collected.notes
    checks = table_health(first, collected, counts)
    caps = caps_of(first)
    comparisons: list[MetricComparison] = []
    any_cuped = False
    concentrated: list[str] = []
    imbalanced: list[tuple[str, str, float]] = []
    balance_checked = 0
    margins = {m.name: m.guardrail_margin for m, _ in roles if m.guardrail_margin is not None}
    role_of = {m.name: r for m, r in roles}
    for sums in collected.tables:
        rows_by_arm = {str(r[ARM]): r for r in sums.rows if r[ARM] is not None}
        if sum(row_count_of(r, POST_ROWS) for r in rows_by_arm.values()) == 0:
            raise ExperimentError(
                f"No rows of {sums.table} for experiment {meta.experiment_id!r} between "
                f"{meta.start} and {meta.end}" + scope_text(meta),
                hint="Check the experiment's dates and scope, and that the table is loaded.",
            )
        layout = sums.layout
        use_cuped = layout.cuped
        if use_cuped:
            low = [
                a
                for a, r in rows_by_arm.items()
                if row_count_of(r, PRE_UNITS) < CUPED_MIN_COVERAGE * row_count_of(r, UNITS)
                or row_count_of(r, PRE_ROWS) == 0
            ]
            if low:
                use_cuped = False
                notes.append(
                    f"{sums.table}: fewer than {CUPED_MIN_COVERAGE:.0%} of units in "
                    f"{', '.join(low)} have pre-period rows; CUPED not applied"
                )
        if use_cuped:
            found, n = pre_balance_check(
                layout,
                rows_by_arm,
                [m for m in layout.metrics if role_of[m.name] != "secondary"],
                control,
                alpha,
            )
            imbalanced += found
            balance_checked += n
        if sums is first:
            check, concentrated = concentration_check(sums, rows_by_arm, control, alpha)
            if check is not None:
                checks.append(check)
        for metric in layout.metrics:
            role = role_of[metric.name]
            estimates = compare_metric(
                layout, rows_by_arm, metric, control, cuped=use_cuped, alpha=alpha
            )
            if use_cuped:
                worse = [
                    a
                    for a, e in estimates.items()
                    if e.testable and (e.variance_reduction or 0) < 0
                ]
                if worse:
                    # CUPED made the estimate noisier: the covariate does not predict it.
                    estimates = compare_metric(
                        layout, rows_by_arm, metric, control, cuped=False, alpha=alpha
                    )
                    notes.append(
                        f"{metric.name}: CUPED would raise the variance (in "
                        f"{', '.join(worse)}); the unadjusted estimate is used"
                    )
            any_cuped = any_cuped or any(e.cuped for e in estimates.values())
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
    checks.append(health.pre_period_balance(imbalanced, balance_checked))
    checks.append(health.outlier_cap([(c.metric, c.value, c.level) for c in caps], collected.cap))
    if srm is not None:
        checks.insert(2, health.HealthCheck("srm", "fail" if srm.flagged else "ok", srm.describe()))
    failed = [f"{c.check}: {c.detail}" for c in checks if c.status == "fail" and c.check != "srm"]

    adjusted = adjust_comparisons(comparisons, correction, margins=margins)
    verdict = decide_verdict(
        adjusted, srm=srm, alpha=alpha, failed_checks=failed, concentrated=concentrated
    )
    kinds = {m.name: m.kind.value for m, _ in roles}
    results = [MetricResult.from_comparison(c, kinds[c.metric], alpha) for c in adjusted]
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
        health=checks,
        caps=caps,
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
        if row[ARM] is not None:
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
        use_cuped = layout.cuped and all(row_count_of(r, PRE_ROWS) > 0 for r in arm_rows.values())
        for metric, role in pairs:
            try:
                check_arms(seg.units, analysis.control, analysis.meta.experiment_id)
            except ExperimentError as exc:
                analysis.segments[existing[key]] = SegmentResult(
                    seg.values, seg.units, seg.metrics, skipped=exc.message
                )
                break
            estimates = compare_metric(
                layout, arm_rows, metric, analysis.control, cuped=use_cuped, alpha=analysis.alpha
            )
            for arm, est in estimates.items():
                comparison = MetricComparison(metric.name, arm, role, metric.higher_is_better, est)
                seg.metrics.append(
                    MetricResult.from_comparison(
                        comparison, metric.kind.value, analysis.alpha, adjusted=False
                    )
                )
