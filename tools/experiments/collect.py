"""Collecting an experiment's numbers from the warehouse: metadata and per-arm sums.

This is the I/O half of an analysis (`compute` is the pure half): it reads the metadata row,
decides which metrics to analyse and with which role, builds the statistics statements,
runs them through the validator (and the result cache) and returns plain rows of sums.

Which metrics are analysed:

- the experiment's **primary** metric and its **guardrails** (from the metadata row);
- every other catalog metric on the primary metric's table as **secondary** metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.catalog.model import Catalog, Metric, MetricKind
from tools.did_you_mean import did_you_mean
from tools.errors import ExperimentError
from tools.experiments.early_start import start_unless_cached
from tools.experiments.query import fetch_rows
from tools.experiments.result_cache import ResultCache, open_cache
from tools.experiments.source import ExperimentMeta, load_experiment_rows, meta_from_row
from tools.experiments.statements.experiment_source import experiment_source
from tools.experiments.statements.stats_layout import CapSpec, StatsLayout, UnitTable
from tools.experiments.statements.stats_statement import stats_sql
from tools.experiments.statements.window import ExperimentWindow, SegmentJoin
from tools.experiments.unit_table import find_unit_table

if TYPE_CHECKING:
    from tools.warehouse.connection import Warehouse

# Winsorisation by default: per-unit values of mean metrics above the 99th percentile of
# the pooled per-unit values are capped there (GrowthBook's percentile capping; Statsig
# winsorises by default too). A catalog metric may set its own `cap_percentile`, or a
# fixed `winsorize_at`; `--no-cap` turns capping off.
DEFAULT_CAP_LEVEL = 0.99


@dataclass(frozen=True)
class TableSums:
    """The rows of one statistics statement: per arm (and segment), n and named sums."""

    table: str
    layout: StatsLayout
    rows: list[dict[str, Any]]
    segment: SegmentJoin | None = None


@dataclass(frozen=True)
class CollectedSums:
    """Everything an analysis computes from: plain data, no connection."""

    meta: ExperimentMeta
    roles: list[tuple[Metric, str]]
    control: str
    window: ExperimentWindow
    tables: list[TableSums]
    segments: list[tuple[list[tuple[Metric, str]], TableSums]] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metadata_rows: int = 1
    metadata_identical: bool = True
    metadata_table: str = ""
    cap: bool = True


def resolve_metric(catalog: Catalog, name: str, *, role: str, experiment_id: str) -> Metric:
    metric = catalog.metric(name)
    if metric is None:
        hint = did_you_mean(name, [m.name for m in catalog.metrics])
        raise ExperimentError(
            f"The {role} metric {name!r} of experiment {experiment_id!r} is not in the catalog",
            hint=(f"{hint} " if hint else "")
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


def scoped_window(catalog: Catalog, window: ExperimentWindow, table_name: str) -> ExperimentWindow:
    """`window` with only the scope columns `table_name` has (see `dropped_scope`)."""
    table = catalog.table(table_name)
    scope = {c: v for c, v in window.scope.items() if table is not None and table.column(c)}
    return ExperimentWindow(
        window.experiment_id, window.start, window.end, scope, window.pre_period_days
    )


def dropped_scope(catalog: Catalog, window: ExperimentWindow, table_name: str) -> list[str]:
    """A note per scope column `table_name` lacks (the scope cannot restrict that table)."""
    kept = scoped_window(catalog, window, table_name).scope
    return [
        f"{table_name} has no column {col!r}: scope not applied to it"
        for col in sorted(set(window.scope) - set(kept))
    ]


def cap_specs(metrics: Sequence[Metric], *, cap: bool, level: float) -> dict[str, CapSpec]:
    """How each mean metric is winsorised (see `DEFAULT_CAP_LEVEL`); none when `cap` is off."""
    if not cap:
        return {}
    out = {}
    for m in metrics:
        if m.kind is not MetricKind.MEAN:
            continue
        if m.winsorize_at is not None:
            out[m.name] = CapSpec(value=m.winsorize_at)
        else:
            out[m.name] = CapSpec(level=m.cap_percentile or level)
    return out


def statement_for(
    catalog: Catalog,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    dialect: str,
    cuped: bool,
    cap: bool = True,
    cap_level: float = DEFAULT_CAP_LEVEL,
    segment: SegmentJoin | None = None,
    top_metric: str | None = None,
    portable: bool = False,
) -> StatsLayout:
    """The statistics statement `collect_sums` runs for `metrics` (one table)."""
    scoped = scoped_window(catalog, window, metrics[0].table)
    unit_table: UnitTable | None = find_unit_table(catalog) if segment is None else None
    return stats_sql(
        catalog,
        scoped,
        metrics,
        cuped=cuped,
        segment=segment,
        dialect=dialect,
        caps=cap_specs(metrics, cap=cap, level=cap_level),
        unit_table=unit_table,
        top_metric=top_metric,
        portable=portable,
    )


def _table_sums(
    catalog: Catalog,
    warehouse: Warehouse,
    window: ExperimentWindow,
    metrics: Sequence[Metric],
    *,
    cuped: bool,
    segment: SegmentJoin | None,
    cache: ResultCache | None,
    cap: bool,
    cap_level: float,
    top_metric: str | None = None,
) -> tuple[TableSums, list[str]]:
    # Scope columns the metric table lacks cannot restrict it: say so rather than fail.
    notes = dropped_scope(catalog, window, metrics[0].table)
    # Written in DuckDB's dialect (its percentile and date forms are what the statement is
    # built from) and transpiled by the validator for any other engine, as the planner's SQL
    # is: the text that runs is the one the validator proved in the warehouse's dialect.
    portable = warehouse.dialect != "duckdb"
    layout = statement_for(
        catalog,
        window,
        metrics,
        dialect="duckdb",
        cuped=cuped,
        cap=cap,
        cap_level=cap_level,
        segment=segment,
        top_metric=top_metric,
        portable=portable,
    )
    rows = fetch_rows(
        layout.sql,
        catalog,
        warehouse,
        purpose="sufficient statistics",
        cache=cache,
        read_dialect="duckdb" if portable else None,
    )
    return TableSums(metrics[0].table, layout, rows, segment), notes


def collect_sums(
    catalog: Catalog,
    warehouse: Warehouse,
    experiment_id: str,
    *,
    cuped: bool = True,
    segments: Sequence[str] = (),
    cache_dir: Path | None = None,
    cap: bool = True,
    cap_level: float = DEFAULT_CAP_LEVEL,
) -> CollectedSums:
    """Read the metadata and run every statistics statement; `ExperimentError` on bad input."""
    source = experiment_source(catalog)
    if not 0.5 <= cap_level < 1:
        raise ExperimentError(
            f"The cap level must be a percentile between 0.5 and 1, got {cap_level}",
            hint="0.99 caps each unit at the 99th percentile of all units.",
        )
    cache = open_cache(cache_dir, experiment_id, warehouse)
    # Started now, the worker opens the file while the statements are built and validated.
    start_unless_cached(warehouse, cache_dir, experiment_id)
    meta_rows = load_experiment_rows(catalog, warehouse, experiment_id, cache)
    meta = meta_from_row(meta_rows[0], catalog)
    if meta.end < meta.start:
        raise ExperimentError(
            f"Experiment {experiment_id!r} ends ({meta.end}) before it starts ({meta.start})",
            hint="Fix the experiment's dates.",
        )
    roles = metric_roles(catalog, meta)
    window = meta.window(source.pre_period_days if cuped else 0)
    collected = CollectedSums(
        meta=meta,
        roles=roles,
        control=source.control_variant,
        window=window,
        tables=[],
        metadata_rows=len(meta_rows),
        metadata_identical=all(r == meta_rows[0] for r in meta_rows),
        metadata_table=source.metadata_table,
        cap=cap,
    )
    primary = roles[0][0]
    for table_name in dict.fromkeys(m.table.lower() for m, _ in roles):
        metrics = [m for m, _ in roles if m.table.lower() == table_name]
        sums, notes = _table_sums(
            catalog,
            warehouse,
            window,
            metrics,
            cuped=cuped,
            segment=None,
            cache=cache,
            cap=cap,
            cap_level=cap_level,
            top_metric=primary.name if primary.kind is MetricKind.MEAN else None,
        )
        collected.tables.append(sums)
        collected.sql.append(sums.layout.sql)
        collected.notes.extend(notes)
    if segments:
        _collect_segments(
            catalog,
            warehouse,
            collected,
            segments,
            cuped=cuped,
            cache=cache,
            cap=cap,
            cap_level=cap_level,
        )
    return collected


def _collect_segments(
    catalog: Catalog,
    warehouse: Warehouse,
    collected: CollectedSums,
    columns: Sequence[str],
    *,
    cuped: bool,
    cache: ResultCache | None,
    cap: bool,
    cap_level: float,
) -> None:
    from tools.experiments.segment_join import find_segment_join

    by_table: dict[str, list[tuple[Metric, str]]] = {}
    for m, r in collected.roles:
        if r != "secondary":
            by_table.setdefault(m.table.lower(), []).append((m, r))
    for pairs in by_table.values():
        metrics = [m for m, _ in pairs]
        join = find_segment_join(
            catalog, columns, metric_table=metrics[0].table, metric_unit=metrics[0].unit
        )
        sums, _ = _table_sums(
            catalog,
            warehouse,
            collected.window,
            metrics,
            cuped=cuped,
            segment=join,
            cache=cache,
            cap=cap,
            cap_level=cap_level,
        )
        collected.segments.append((pairs, sums))
        collected.sql.append(sums.layout.sql)
