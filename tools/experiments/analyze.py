"""Analysing one experiment: metadata → SQL → sufficient statistics → estimates → verdict.

Which metrics are analysed:

- the experiment's **primary** metric and its **guardrails** (from the metadata row);
- every other catalog metric on the primary metric's table as **secondary** metrics.

Primary and secondary comparisons of every arm form one multiple-testing family (Holm by
default); guardrails are not adjusted (see `verdict`). CUPED is used by default when the
catalog gives a pre-period (`pre_period_days` before the start) and the pre-period has data;
the covariate is the same metric over the pre-period. Segment breakdowns (primary metric and
guardrails, per value of the segment columns) are descriptive: no adjustment, no verdict.

Raw rows never leave the warehouse: every number here comes from per-arm sums, which the
result cache (`result_cache`, when a cache folder is given) keeps, with the experiment's
metadata row, while the warehouse file is unchanged: a repeat run need not open it. Units
per arm (the SRM input) are the statistics query's `n`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.catalog.model import Catalog, Metric
from tools.errors import ExperimentError
from tools.experiments.arms import ArmStats, compare_arms
from tools.experiments.estimate import EffectEstimate
from tools.experiments.query import fetch_rows
from tools.experiments.result_cache import ResultCache, open_cache
from tools.experiments.results import ExperimentAnalysis, MetricResult, SegmentResult
from tools.experiments.source import ExperimentMeta, load_experiment
from tools.experiments.srm import parse_traffic_split, srm_test
from tools.experiments.sufficient import stats_from_sums
from tools.experiments.sufficient_sql import (
    ARM,
    POST_ROWS,
    PRE_ROWS,
    UNITS,
    ExperimentWindow,
    SegmentJoin,
    StatsLayout,
    experiment_source,
    stats_sql,
)
from tools.experiments.verdict import (
    MetricComparison,
    adjust_comparisons,
    decide_verdict,
)

if TYPE_CHECKING:
    from tools.warehouse.connection import Warehouse


def resolve_metric(catalog: Catalog, name: str, *, role: str, experiment_id: str) -> Metric:
    metric = catalog.metric(name)
    if metric is None:
        close = difflib.get_close_matches(name, [m.name for m in catalog.metrics], n=3)
        raise ExperimentError(
            f"The {role} metric {name!r} of experiment {experiment_id!r} is not in the catalog",
            hint=(f"Did you mean {', '.join(close)}? " if close else "")
            + "Add it under `metrics:` in the catalog or fix the experiment's metadata.",
        )
    return metric


def metric_roles(catalog: Catalog, meta: ExperimentMeta) -> list[tuple[Metric, str]]:
    """(metric, role) for the primary, the guardrails, then the secondary metrics."""
    primary = resolve_metric(
        catalog, meta.primary_metric, role="primary", experiment_id=meta.experiment_id
    )
    out = [(primary, "primary")]
    for name in meta.guardrail_metrics:
        metric = resolve_metric(catalog, name, role="guardrail", experiment_id=meta.experiment_id)
        if all(m.name != metric.name for m, _ in out):
            out.append((metric, "guardrail"))
    taken = {m.name for m, _ in out}
    out += [
        (m, "secondary")
        for m in catalog.metrics
        if m.table.lower() == primary.table.lower() and m.name not in taken
    ]
    return out


def arm_stats(layout: StatsLayout, row: dict[str, Any], metric: Metric, *, cuped: bool) -> ArmStats:
    """The stats object of one arm (one result row) for `metric`."""
    # Pre-period sums in the row are simply not read when `cuped` is off.
    sums = {name: row[alias] for (m, name), alias in layout.sums.items() if m == metric.name}
    return stats_from_sums(metric.kind.value, int(row[UNITS]), sums, cuped=cuped)


def _compare(
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


def _check_arms(counts: dict[str, int], control: str, experiment_id: str) -> None:
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


def analyze_experiment(
    catalog: Catalog,
    warehouse: Warehouse,
    experiment_id: str,
    *,
    cuped: bool = True,
    segments: Sequence[str] = (),
    alpha: float = 0.05,
    correction: str = "holm",
    cache_dir: Path | None = None,
) -> ExperimentAnalysis:
    """Everything `lablens experiment summarize` shows; `ExperimentError` on bad input.

    With `cache_dir`, statistics results are cached there per experiment and reused while
    the warehouse file is unchanged (`result_cache`); the analysis is the same either way.
    """
    source = experiment_source(catalog)
    cache = open_cache(cache_dir, experiment_id, warehouse)
    meta = load_experiment(catalog, warehouse, experiment_id, cache)
    if meta.end < meta.start:
        raise ExperimentError(
            f"Experiment {experiment_id!r} ends ({meta.end}) before it starts ({meta.start})",
            hint="Fix the experiment's dates.",
        )
    roles = metric_roles(catalog, meta)
    window = meta.window(source.pre_period_days if cuped else 0)
    sql_log: list[str] = []

    control = source.control_variant
    arms: dict[str, int] = {}
    srm = None
    notes: list[str] = []
    comparisons: list[MetricComparison] = []
    layouts: dict[str, tuple[StatsLayout, dict[str, dict[str, Any]], bool]] = {}
    for table_name in dict.fromkeys(m.table.lower() for m, _ in roles):
        metrics = [m for m, _ in roles if m.table.lower() == table_name]
        layout, rows = _table_stats(
            catalog,
            warehouse,
            window,
            metrics,
            cuped=cuped,
            sql_log=sql_log,
            notes=notes,
            cache=cache,
        )
        if not arms:
            # Units per arm (the SRM check's input) are the statistics query's n: every
            # assigned unit counts, active or not, so no separate counting query is needed.
            counts = {str(r[ARM]): int(r[UNITS]) for r in rows}
            _check_arms(counts, control, experiment_id)
            arms = {control: counts[control], **{a: n for a, n in counts.items() if a != control}}
            if meta.traffic_split:
                srm = srm_test(arms, parse_traffic_split(meta.traffic_split))
            else:
                notes.insert(0, "no traffic split configured: sample ratio mismatch not checked")
        rows_by_arm = {str(r[ARM]): r for r in rows}
        post = sum(int(r[POST_ROWS] or 0) for r in rows)
        if post == 0:
            raise ExperimentError(
                f"No rows of {metrics[0].table} for experiment {experiment_id!r} between "
                f"{meta.start} and {meta.end}" + _scope_text(meta),
                hint="Check the experiment's dates and scope, and that the table is loaded.",
            )
        use_cuped = layout.cuped and all(int(r.get(PRE_ROWS) or 0) > 0 for r in rows)
        if layout.cuped and not use_cuped:
            notes.append(f"{metrics[0].table}: an arm has no pre-period rows; CUPED not applied")
        layouts[table_name] = (layout, rows_by_arm, use_cuped)
        for metric in metrics:
            role = next(r for m, r in roles if m.name == metric.name)
            try:
                estimates = _compare(
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
    analysis = ExperimentAnalysis(
        meta=meta,
        control=control,
        arms=arms,
        srm=srm,
        metrics=results,
        verdict=verdict,
        cuped_requested=cuped,
        alpha=alpha,
        correction=correction,
        notes=notes,
        sql=sql_log,
        pre_period=(
            None
            if window.pre_start is None or not any(used for _, _, used in layouts.values())
            else (window.pre_start.isoformat(), (meta.start - timedelta(days=1)).isoformat())
        ),
    )
    if segments:
        _add_segments(analysis, catalog, warehouse, window, roles, segments, sql_log, cache)
    return analysis


def _scope_text(meta: ExperimentMeta) -> str:
    if not meta.scope:
        return ""
    return " where " + " and ".join(f"{k} = {v!r}" for k, v in meta.scope.items())


def scoped_window(
    catalog: Catalog, window: ExperimentWindow, table_name: str, notes: list[str] | None = None
) -> ExperimentWindow:
    """`window` with only the scope columns `table_name` has (a note for each one dropped)."""
    table = catalog.table(table_name)
    scope = {c: v for c, v in window.scope.items() if table is not None and table.column(c)}
    for col in sorted(set(window.scope) - set(scope)):
        if notes is not None:
            notes.append(f"{table_name} has no column {col!r}: scope not applied to it")
    return ExperimentWindow(
        window.experiment_id, window.start, window.end, scope, window.pre_period_days
    )


def _table_stats(
    catalog: Catalog,
    warehouse: Warehouse,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    cuped: bool,
    sql_log: list[str],
    notes: list[str],
    segment: SegmentJoin | None = None,
    cache: ResultCache | None = None,
) -> tuple[StatsLayout, list[dict[str, Any]]]:
    # Scope columns the metric table lacks cannot restrict it: say so rather than fail.
    scoped = scoped_window(catalog, window, metrics[0].table, notes)
    layout = stats_sql(
        catalog, scoped, metrics, cuped=cuped, segment=segment, dialect=warehouse.dialect
    )
    sql_log.append(layout.sql)
    rows = fetch_rows(layout.sql, catalog, warehouse, purpose="sufficient statistics", cache=cache)
    return layout, rows


def _add_segments(
    analysis: ExperimentAnalysis,
    catalog: Catalog,
    warehouse: Warehouse,
    window: ExperimentWindow,
    roles: list[tuple[Metric, str]],
    columns: Sequence[str],
    sql_log: list[str],
    cache: ResultCache | None = None,
) -> None:
    from tools.experiments.segment_join import find_segment_join

    focus = [(m, r) for m, r in roles if r != "secondary"]
    by_table: dict[str, list[tuple[Metric, str]]] = {}
    for m, r in focus:
        by_table.setdefault(m.table.lower(), []).append((m, r))
    segments: dict[tuple[Any, ...], SegmentResult] = {}
    for pairs in by_table.values():
        metrics = [m for m, _ in pairs]
        join = find_segment_join(
            catalog, columns, metric_table=metrics[0].table, metric_unit=metrics[0].unit
        )
        analysis.segment_columns = join.columns
        layout, rows = _table_stats(
            catalog,
            warehouse,
            window,
            metrics,
            cuped=analysis.cuped_requested,
            sql_log=sql_log,
            notes=[],
            segment=join,
            cache=cache,
        )
        groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
        for row in rows:
            key = tuple(row[c] for c in join.columns)
            groups.setdefault(key, {})[str(row[ARM])] = row
        for key, arm_rows in groups.items():
            seg = segments.setdefault(
                key,
                SegmentResult(
                    values=dict(zip(join.columns, key, strict=True)),
                    units={a: int(r[UNITS]) for a, r in arm_rows.items()},
                    metrics=[],
                ),
            )
            use_cuped = layout.cuped and all(
                int(r.get(PRE_ROWS) or 0) > 0 for r in arm_rows.values()
            )
            for metric, role in pairs:
                try:
                    _check_arms(seg.units, analysis.control, analysis.meta.experiment_id)
                    estimates = _compare(
                        layout,
                        arm_rows,
                        metric,
                        analysis.control,
                        cuped=use_cuped,
                        alpha=analysis.alpha,
                    )
                except ExperimentError as exc:
                    segments[key] = SegmentResult(
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
    analysis.segments = sorted(
        segments.values(), key=lambda s: tuple(str(v) for v in s.values.values())
    )
