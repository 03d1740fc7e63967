"""The SQL behind an experiment analysis, as a product: readable, portable, validated.

`experiment_sql` returns the statements `analyze_experiment` runs (level `arms`), one row per
unit and metric (`units`, for notebooks) or the daily per-arm sums (`daily`), in the
warehouse's dialect or transpiled to another one, pretty-printed, with a comment per block
(window, scope, CUPED pre-period, winsorisation cap with its value) and the formulas that
turn the sums into the estimate. Every statement is validated for its dialect against the
catalog before it is returned.

Portability: statements are built in DuckDB's dialect and transpiled by sqlglot. The DuckDB
day bitmask (exact COUNT(DISTINCT <date>) as BIT_COUNT(BIT_OR(…))) is replaced by the
standard COUNT(DISTINCT …) in its own CTE for every other dialect (the same numbers: a test
runs both on DuckDB). A construct a dialect cannot express raises `TranspileUnsupported`
(problem code `transpile-unsupported`) naming it: an exact percentile aggregate for the
winsorisation cap has no Trino or BigQuery form (their percentiles are approximate or
analytic-only), so caps need `--no-cap` there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.catalog.model import Catalog, Metric, MetricKind
from tools.did_you_mean import did_you_mean
from tools.errors import ExperimentError
from tools.experiments.collect import (
    DEFAULT_CAP_LEVEL,
    cap_specs,
    metric_roles,
    scoped_window,
    statement_for,
)
from tools.experiments.results import Cap
from tools.experiments.source import ExperimentMeta
from tools.experiments.statements.daily_statement import daily_sql
from tools.experiments.statements.stats_layout import ARM_SUMS, StatsLayout

if TYPE_CHECKING:
    from tools.sql.problems import ValidationReport
    from tools.warehouse.connection import Warehouse

DIALECTS = ("duckdb", "postgres", "trino", "spark", "bigquery", "snowflake")
LEVELS = ("arms", "units", "daily")
# Their percentiles are approximate (Trino) or analytic-only (BigQuery).
NO_EXACT_PERCENTILE = ("trino", "bigquery")

FORMULAS = (
    "Sums are of centred per-unit values v − k (k = the `_shift` column, the pooled mean): "
    "mean = k + Σ/n; variance = (Σ(v−k)² − (Σ(v−k))²/n)/(n−1), the same for any k and "
    "exact at any magnitude.",
    "Mean metrics: effect = mean_t − mean_c, Welch t-test, se = √(var_t/n_t + var_c/n_c), "
    "Welch–Satterthwaite df.",
    "Ratio metrics Σx/Σy: delta method, Var(R) ≈ (Var x − 2R·Cov(x,y) + R²·Var y)/(n·ȳ²).",
    "CUPED: θ = Σ_arms (n−1)·Cov(y, pre)/Σ_arms (n−1)·Var(pre); adjusted effect = "
    "Δmean(y) − θ·Δmean(pre); used only when it lowers the variance.",
    "Relative effect = effect/|control|, its interval by the delta method (control noise "
    "included).",
)


class TranspileUnsupported(ExperimentError):
    """A dialect cannot express a construct the statement needs."""

    code = "transpile-unsupported"


@dataclass(frozen=True)
class AnalysisStatement:
    title: str
    sql: str
    comments: tuple[str, ...] = ()
    # The validator's report on the statement (its one-line form and warnings): kept so a
    # caller that shows or compares it does not validate the same statement again.
    report: ValidationReport | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "sql": self.sql, "comments": list(self.comments)}


@dataclass
class ExperimentSql:
    experiment_id: str
    dialect: str
    level: str
    statements: list[AnalysisStatement] = field(default_factory=list)
    formulas: tuple[str, ...] = FORMULAS
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment_id": self.experiment_id,
            "dialect": self.dialect,
            "level": self.level,
            "statements": [s.to_dict() for s in self.statements],
            "formulas": list(self.formulas),
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        """The statements with their titles, then the formulas (what a model is shown)."""
        parts = [f"-- {s.title}\n{s.sql};" for s in self.statements]
        parts.append("\n".join(f"-- {f}" for f in self.formulas))
        return "\n\n".join(parts)


def _comments(
    meta: ExperimentMeta,
    layout: StatsLayout | None,
    caps: dict[str, Cap],
    *,
    pre_days: int,
) -> dict[str, str]:
    scope = ", ".join(f"{k} = {v!r}" for k, v in meta.scope.items()) or "none"
    out = {
        "assigned_units": "every unit assigned to the experiment, one arm each (a unit in "
        "several arms or none has arm NULL and is only counted)",
        "post_period": f"experiment window {meta.start} to {meta.end}, from each unit's "
        f"assignment day; scope: {scope}; NULL counts per column for the health checks",
        "unit_values": "one row per assigned unit; units without rows count as 0; units "
        "the unit table lacks are counted",
        "centred": "capped per-unit values minus the shift (sums of centred values keep "
        "their precision)",
        "top_thresholds": "per arm, the primary's value above which the top 0.1 % and 1 % "
        "of units lie (the concentration check)",
        "arm_sums": "per arm: n, every sum and sum of products of the centred values, the "
        "health counts (the caps and shifts are added beside each row)",
    }
    if layout is not None and layout.cuped:
        out["pre_period"] = (
            f"CUPED pre-period: the {pre_days} days before {meta.start}, and before each "
            "unit's first assignment"
        )
    capped = [
        f"{m} at {c.value:.6g}" + (f" (p{c.level * 100:g})" if c.level else " (catalog)")
        for m, c in caps.items()
    ]
    levels = sorted({spec_level for spec_level in (c.level for c in caps.values()) if spec_level})
    out["unit_caps"] = (
        "winsorisation caps (percentile of the pooled per-unit values of analysed units)"
        + (f" at p{', p'.join(f'{x * 100:g}' for x in levels)}" if levels else "")
        + (f"; last run: {'; '.join(capped)}" if capped else "")
        + " and centring shifts (their means)"
    )
    return out


def _annotate(sql: str, comments: dict[str, str]) -> str:
    """A `-- comment` line before each CTE of a pretty-printed statement."""
    out: list[str] = []
    for line in sql.split("\n"):
        match = re.match(r"^(WITH |\), )([A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\"|`[^`]+`) AS \($", line)
        if match:
            name = match.group(2).strip('"`')
            if match.group(1) == "), ":
                out.append("),")
            note = comments.get(name) or comments.get(re.sub(r"_distinct_\d+$", "", name))
            if note:
                out.append(f"-- {name}: {note}")
            out.append(("WITH " if match.group(1) == "WITH " else "") + line[len(match.group(1)) :])
            continue
        out.append(line)
    return "\n".join(out)


def transpile(sql: str, dialect: str, *, construct_hint: str = "") -> str:
    """`sql` (DuckDB) in `dialect`, pretty-printed; `TranspileUnsupported` names what fails."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel, UnsupportedError

    if dialect not in DIALECTS:
        raise ExperimentError(
            f"Unknown dialect {dialect!r}",
            hint=(did_you_mean(dialect, DIALECTS) or "") + f" Dialects: {', '.join(DIALECTS)}.",
        )
    tree = sqlglot.parse_one(sql, read="duckdb")
    if dialect in NO_EXACT_PERCENTILE and tree.find(exp.PercentileCont) is not None:
        raise TranspileUnsupported(
            f"transpile-unsupported: {dialect} has no exact percentile aggregate for the "
            "winsorisation cap (QUANTILE_CONT / PERCENTILE_CONT … WITHIN GROUP)",
            hint=f"Use --no-cap (or a fixed `winsorize_at` per metric in the catalog) for "
            f"{dialect}; its approximate percentiles would give other numbers.{construct_hint}",
        )
    if dialect == "spark":
        # Spark's exact percentile aggregate (linear interpolation, as PERCENTILE_CONT).
        for node in list(tree.find_all(exp.PercentileCont)):
            node.replace(exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression]))
    if dialect != "duckdb":
        # Quoted lowercase names are case-sensitive in Snowflake (and Postgres): a table
        # created as `users` is USERS there. Plain names go unquoted; the generator quotes
        # whatever needs it (reserved words, odd characters).
        for ident in tree.find_all(exp.Identifier):
            if re.fullmatch(r"[a-z_][a-z0-9_]*", ident.name):
                ident.set("quoted", False)
    try:
        return tree.sql(
            dialect=dialect, pretty=True, unsupported_level=ErrorLevel.RAISE, identify="safe"
        )
    except UnsupportedError as exc:
        raise TranspileUnsupported(
            f"transpile-unsupported: {dialect} cannot express {exc}",
            hint="Use the warehouse's own dialect, or --no-cap.",
        ) from None


def _validate(sql: str, catalog: Catalog, dialect: str, title: str) -> ValidationReport:
    from tools.sql.validate import validate_sql

    report = validate_sql(sql, catalog, dialect=dialect, read_dialect=dialect, default_limit=None)
    if not report.valid:
        raise ExperimentError(
            f"The {title} statement does not validate in {dialect}:\n{report.summary()}",
            hint="This is a lablens bug for this dialect; the DuckDB form is the reference.",
        )
    return report


def _units_sql(layout: StatsLayout) -> str:
    """One row per analysed unit and metric, from the statistics statement's CTEs."""
    # Every CTE up to the per-arm sums (which this level does not read).
    with_part = layout.sql.split(f",\n{ARM_SUMS} AS (", 1)[0]

    def value(metric: Metric, var: str) -> str:
        column = layout.columns.get((metric.name, var))
        if column is None:
            return "NULL"
        return f'cu."{column}" + caps."{layout.sums[(metric.name, f"{var}@shift")]}"'

    selects = []
    for metric in layout.metrics:
        ratio = metric.kind is MetricKind.RATIO
        num, den = ("x", "y") if ratio else ("y", "")
        pre = "NULL" if ratio else value(metric, "x")
        selects.append(
            f'SELECT cu."unit_id" AS "unit_id", cu."arm" AS "arm", '
            f'\'{metric.name}\' AS "metric", {value(metric, num)} AS "value", '
            f'{value(metric, den) if den else "NULL"} AS "denominator", {pre} AS "pre_value" '
            'FROM centred AS cu CROSS JOIN unit_caps AS caps WHERE cu."arm" IS NOT NULL'
        )
    return with_part + "\n" + "\nUNION ALL\n".join(selects)


def experiment_sql(
    catalog: Catalog,
    meta: ExperimentMeta,
    *,
    metrics: Sequence[str] = (),
    dialect: str = "duckdb",
    level: str = "arms",
    cuped: bool = True,
    cap: bool = True,
    cap_level: float = DEFAULT_CAP_LEVEL,
    caps: Sequence[Cap] = (),
) -> ExperimentSql:
    """The analysis statements of `meta` for `metrics` (default: all it analyses).

    `caps` are the values the last analysis computed (shown in the comments). Raises
    `ExperimentError` for an unknown metric, level or dialect, `TranspileUnsupported` for a
    construct `dialect` cannot express.
    """
    if level not in LEVELS:
        raise ExperimentError(
            f"Unknown level {level!r}",
            hint=(did_you_mean(level, LEVELS) or "") + f" Levels: {', '.join(LEVELS)}.",
        )
    if dialect not in DIALECTS:
        raise ExperimentError(
            f"Unknown dialect {dialect!r}",
            hint=(did_you_mean(dialect, DIALECTS) or "") + f" Dialects: {', '.join(DIALECTS)}.",
        )
    source = catalog.experiments
    assert source is not None  # meta came from it
    roles = metric_roles(catalog, meta)
    chosen = [m for m, _ in roles]
    if metrics:
        known = {m.name: m for m, _ in roles}
        missing = [name for name in metrics if name not in known]
        if missing:
            raise ExperimentError(
                f"Metric {missing[0]!r} is not analysed in experiment {meta.experiment_id!r}",
                hint=(did_you_mean(missing[0], known) or "") + f" Metrics: {', '.join(known)}.",
            )
        chosen = [known[name] for name in dict.fromkeys(metrics)]
    window = meta.window(source.pre_period_days if cuped else 0)
    by_cap = {c.metric: c for c in caps}
    out = ExperimentSql(meta.experiment_id, dialect, level)
    if cap:
        out.notes.append(
            f"mean metrics are winsorised at p{cap_level * 100:g} of the pooled per-unit "
            "values, computed in the statement (--no-cap to turn off)"
        )
    primary = roles[0][0]
    no_percentile = dialect in NO_EXACT_PERCENTILE
    if no_percentile and level != "daily":
        out.notes.append(
            f"{dialect} has no exact percentile aggregate: the concentration check (top "
            "0.1 % / 1 % of units) is left out of this form"
        )
    for table in dict.fromkeys(m.table.lower() for m in chosen):
        group = [m for m in chosen if m.table.lower() == table]
        title_table = group[0].table
        if level == "daily":
            scoped = scoped_window(catalog, meta.window(0), title_table)
            sql = daily_sql(catalog, scoped, group, dialect="duckdb")
            title = f"daily per-arm sums: {title_table} ({', '.join(m.name for m in group)})"
            comments = {
                "u": "analysed units (one arm, assigned by the end)",
                "e": f"rows of {title_table} in the window {meta.start} to {meta.end}",
                "d": "per unit and day since its assignment",
            }
        else:
            layout = statement_for(
                catalog,
                window,
                group,
                dialect="duckdb",
                cuped=cuped,
                cap=cap,
                cap_level=cap_level,
                top_metric=primary.name if primary in group and not no_percentile else None,
                portable=dialect != "duckdb",
            )
            specs = cap_specs(group, cap=cap, level=cap_level)
            shown = {m: by_cap[m] for m in specs if m in by_cap}
            comments = _comments(meta, layout, shown, pre_days=source.pre_period_days)
            for cte in re.findall(r"\b((?:post|pre)_period_distinct_\d+) AS \(", layout.sql):
                comments[cte] = (
                    "a DISTINCT aggregate in its own grouping (same window and scope as "
                    f"{cte.split('_distinct')[0]})"
                )
            if level == "units":
                sql = _units_sql(layout)
                title = f"per-unit values: {title_table} ({', '.join(m.name for m in group)})"
            else:
                sql = layout.sql
                title = (
                    f"sufficient statistics and health: {title_table} "
                    f"({', '.join(m.name for m in group)})"
                )
        text = transpile(sql, dialect)
        report = _validate(text, catalog, dialect, title)
        header = [f"{meta.experiment_id}: {title}", f"dialect {dialect}, level {level}"]
        if window.pre_start is not None and level != "daily":
            header.append(
                f"CUPED pre-period {window.pre_start} to {meta.start - timedelta(days=1)}"
            )
        annotated = _annotate(text, comments)
        out.statements.append(
            AnalysisStatement(
                title=title,
                sql="\n".join(f"-- {h}" for h in header) + "\n" + annotated,
                comments=tuple(f"{k}: {v}" for k, v in comments.items()),
                report=report,
            )
        )
    return out


def experiment_sql_for(
    catalog: Catalog,
    warehouse: Warehouse,
    experiment_id: str,
    *,
    dialect: str | None = None,
    cache_dir: Path | None = None,
    **options: Any,
) -> ExperimentSql:
    """`experiment_sql` for an experiment id: its metadata from the warehouse and, when caps
    are on, their values from the analysis (served by the result cache in `cache_dir` while
    the warehouse is unchanged). `options` are `experiment_sql`'s keyword arguments."""
    from tools.experiments.analyze import analyze_experiment
    from tools.experiments.source import load_experiment

    meta = load_experiment(catalog, warehouse, experiment_id)
    caps: Sequence[Cap] = ()
    if options.get("cap", True) and options.get("level", "arms") != "daily":
        caps = analyze_experiment(
            catalog,
            warehouse,
            experiment_id,
            cuped=options.get("cuped", True),
            cache_dir=cache_dir,
            cap_level=options.get("cap_level", DEFAULT_CAP_LEVEL),
        ).caps
    return experiment_sql(catalog, meta, dialect=dialect or warehouse.dialect, caps=caps, **options)
