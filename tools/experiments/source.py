"""Experiment metadata and unit counts, read through the catalog's `ExperimentSource`.

The catalog names the metadata table and which of its columns hold the id, dates, primary
and guardrail metrics, the configured split and the status; every other metadata column is
kept as an attribute (a team, a hypothesis …) so a report can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from tools.did_you_mean import did_you_mean
from tools.errors import ExperimentError
from tools.experiments.statements.experiment_source import experiment_source
from tools.experiments.statements.quoting import literal, quote
from tools.experiments.statements.window import ExperimentWindow

if TYPE_CHECKING:
    from tools.catalog.model import Catalog, ExperimentSource, Table
    from tools.experiments.result_cache import ResultCache
    from tools.warehouse.connection import Warehouse


@dataclass(frozen=True)
class ExperimentMeta:
    """One experiment as its metadata row describes it.

    `scope` maps metric-table columns to the values this experiment restricts metrics to
    (from the catalog's `scope_columns`); `attributes` holds every metadata column.
    """

    experiment_id: str
    start: date
    end: date
    primary_metric: str
    name: str | None = None
    guardrail_metrics: tuple[str, ...] = ()
    traffic_split: str | None = None
    status: str | None = None
    team: str | None = None
    scope: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)

    def window(self, pre_period_days: int) -> ExperimentWindow:
        return ExperimentWindow(
            experiment_id=self.experiment_id,
            start=self.start,
            end=self.end,
            scope=dict(self.scope),
            pre_period_days=pre_period_days,
        )

    def scope_attributes(self, source: ExperimentSource) -> dict[str, str]:
        """The metadata columns that define the scope, e.g. {"surface": "homefeed"}."""
        return {
            meta_col: str(self.attributes.get(meta_col))
            for meta_col in source.scope_columns
            if self.attributes.get(meta_col) is not None
        }


def _metadata_table(catalog: Catalog, source: ExperimentSource) -> Table:
    table = catalog.table(source.metadata_table)
    assert table is not None  # the catalog model checks that the table exists
    return table


def metadata_sql(
    catalog: Catalog, *, experiment_id: str | None = None, dialect: str = "duckdb"
) -> str:
    """Every catalog column of the metadata table, for one experiment or all of them."""
    source = experiment_source(catalog)
    table = _metadata_table(catalog, source)
    columns = ", ".join(quote(c.name, dialect) for c in table.columns)
    sql = f"SELECT {columns} FROM {quote(table.name, dialect)}"
    if experiment_id is not None:
        sql += (
            f" WHERE {quote(source.metadata_id_column, dialect)} = "
            f"{literal(experiment_id, dialect)}"
        )
    return sql + f" ORDER BY {quote(source.metadata_id_column, dialect)}"


def units_per_experiment_sql(catalog: Catalog, *, dialect: str = "duckdb") -> str:
    source = experiment_source(catalog)
    q = partial(quote, dialect=dialect)
    return (
        f"SELECT {q(source.experiment_column)} AS {q('experiment_id')}, "
        f"COUNT(DISTINCT {q(source.unit_column)}) AS {q('units')} "
        f"FROM {q(source.assignment_table)} GROUP BY {q(source.experiment_column)}"
    )


def _as_date(value: Any, what: str, experiment_id: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ExperimentError(
            f"Experiment {experiment_id!r} has no valid {what} ({value!r})",
            hint="Fix the experiment's metadata row.",
        ) from None


def _team_column(table: Table) -> str | None:
    """The metadata column people call "team" (by name or catalog synonym), if any."""
    for column in table.columns:
        words = {column.name.lower(), *(s.lower() for s in column.synonyms)}
        if "team" in words:
            return column.name
    return None


def meta_from_row(row: dict[str, Any], catalog: Catalog) -> ExperimentMeta:
    """An `ExperimentMeta` from one metadata row keyed by column name."""
    source = experiment_source(catalog)
    table = _metadata_table(catalog, source)
    exp_id = str(row[source.metadata_id_column])

    def text(column: str | None) -> str | None:
        value = row.get(column) if column else None
        return None if value is None else str(value)

    guardrails = tuple(
        g.strip() for g in (text(source.guardrail_metrics_column) or "").split(",") if g.strip()
    )
    primary = text(source.primary_metric_column)
    if not primary:
        raise ExperimentError(
            f"Experiment {exp_id!r} has no primary metric",
            hint=f"Fill `{source.primary_metric_column}` in {source.metadata_table}.",
        )
    scope = {
        metric_col: str(row[meta_col])
        for meta_col, metric_col in source.scope_columns.items()
        if row.get(meta_col) is not None
    }
    team_col = _team_column(table)
    return ExperimentMeta(
        experiment_id=exp_id,
        start=_as_date(row.get(source.start_date_column), "start date", exp_id),
        end=_as_date(row.get(source.end_date_column), "end date", exp_id),
        primary_metric=primary.strip(),
        name=text(source.name_column),
        guardrail_metrics=guardrails,
        traffic_split=text(source.traffic_split_column),
        status=text(source.status_column),
        team=text(team_col),
        scope=scope,
        attributes={k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()},
    )


def list_experiments(catalog: Catalog, warehouse: Warehouse) -> list[tuple[ExperimentMeta, int]]:
    """Every experiment of the metadata table with its number of assigned units."""
    from tools.experiments.query import fetch_rows

    rows = fetch_rows(
        metadata_sql(catalog, dialect=warehouse.dialect),
        catalog,
        warehouse,
        purpose="experiment list",
    )
    units = {
        str(r["experiment_id"]): int(r["units"])
        for r in fetch_rows(
            units_per_experiment_sql(catalog, dialect=warehouse.dialect),
            catalog,
            warehouse,
            purpose="units per experiment",
        )
    }
    out = []
    for row in rows:
        meta = meta_from_row(row, catalog)
        out.append((meta, units.get(meta.experiment_id, 0)))
    return out


def load_experiment_rows(
    catalog: Catalog, warehouse: Warehouse, experiment_id: str, cache: ResultCache | None = None
) -> list[dict[str, Any]]:
    """Every metadata row of `experiment_id` (more than one is a health problem); an unknown
    id raises `ExperimentError` naming the closest known ones."""
    from tools.experiments.query import fetch_rows

    source = experiment_source(catalog)
    rows = fetch_rows(
        metadata_sql(catalog, experiment_id=experiment_id, dialect=warehouse.dialect),
        catalog,
        warehouse,
        purpose="experiment metadata",
        cache=cache,
    )
    if not rows:
        known = [
            str(r[source.metadata_id_column])
            for r in fetch_rows(
                metadata_sql(catalog, dialect=warehouse.dialect),
                catalog,
                warehouse,
                purpose="experiment list",
            )
        ]
        hint = did_you_mean(experiment_id, known, cutoff=0.4) or (
            "Run `lablens experiment list` to see the experiments."
        )
        raise ExperimentError(
            f"No experiment {experiment_id!r} in {source.metadata_table}", hint=hint
        )
    return rows


def load_experiment(
    catalog: Catalog, warehouse: Warehouse, experiment_id: str, cache: ResultCache | None = None
) -> ExperimentMeta:
    """The metadata of `experiment_id` (its first row); see `load_experiment_rows`."""
    return meta_from_row(load_experiment_rows(catalog, warehouse, experiment_id, cache)[0], catalog)
