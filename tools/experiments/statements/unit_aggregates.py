"""Per-unit aggregates of one period: the CTEs that read the metric table.

The statistics statement aggregates each distinct metric expression once per unit and
period (`post_period`: the unit's own window; `pre_period`: the CUPED pre-period). This
module names those columns, decides which CTE computes each, and writes the CTE bodies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from sqlglot import exp

from tools.catalog.model import Metric, Table
from tools.experiments.statements.distinct_days import distinct_days
from tools.experiments.statements.quoting import literal, parsed, qualified, quote
from tools.experiments.statements.window import ExperimentWindow

POST, PRE = 1, 0
PERIOD_NAME = {POST: "post_period", PRE: "pre_period"}


def slug(text: str) -> str:
    """A readable column name for a SQL expression: `SUM(saves)` -> `sum_saves`."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "_".join(words)[:48].strip("_") or "value"


class Names:
    """Unique, readable column names."""

    def __init__(self, taken: Sequence[str] = ()) -> None:
        self.taken = {t.lower() for t in taken}

    def new(self, wanted: str) -> str:
        name, i = wanted, 2
        while name.lower() in self.taken:
            name, i = f"{wanted}_{i}", i + 1
        self.taken.add(name.lower())
        return name


@dataclass
class PeriodAggregates:
    """One period's per-unit aggregates: CTE name -> {base SQL: column name}."""

    period: int
    names: Names
    ctes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ctes.setdefault(self.main, {})

    @property
    def main(self) -> str:
        return PERIOD_NAME[self.period]

    def column(self, base_sql: str, expression: str, *, alone: bool) -> tuple[str, str]:
        """(CTE, column) computing `base_sql` per unit in this period, added if new."""
        for cte, columns in self.ctes.items():
            if base_sql in columns:
                return cte, columns[base_sql]
        prefix = "" if self.period == POST else "pre_"
        alias = self.names.new(prefix + slug(expression))
        cte = f"{self.main}_distinct_{len(self.ctes)}" if alone else self.main
        self.ctes.setdefault(cte, {})[base_sql] = alias
        return cte, alias


def null_columns(metrics: Sequence[Metric], dialect: str) -> list[str]:
    """The metric-table columns the metrics read, in order of first use."""
    out: list[str] = []
    for m in metrics:
        for expression in (m.numerator, m.denominator):
            if not expression:
                continue
            for column in parsed(expression, dialect).find_all(exp.Column):
                if column.name not in out:
                    out.append(column.name)
    return out


def aggregate_sql(
    table: str,
    unit: str,
    dt_name: str,
    lo: date,
    hi: date,
    window: ExperimentWindow,
    columns: dict[str, str],
    extra: list[str],
    *,
    period: int,
    rows: bool,
    dialect: str,
) -> str:
    """One row per assigned unit with rows in [lo, hi]: the row count (if `rows`) and `columns`.

    Rows are the metric table's (alias `j`) joined to the units. In the unit's own window
    only rows on or after its assignment date count; in the pre-period only rows before it.
    """
    q = partial(quote, dialect=dialect)
    lit = partial(literal, dialect=dialect)
    dt = f"j.{q(dt_name)}"
    select = [f"u.{q('unit_id')} AS {q('unit_id')}"]
    if rows:
        select.append(f"COUNT(*) AS {q('row_count')}")
    select += extra
    select += [f"{sql} AS {q(alias)}" for sql, alias in columns.items()]
    where = f"{dt} BETWEEN {lit(lo)} AND {lit(hi)}"
    where += "".join(f" AND j.{q(col)} = {lit(value)}" for col, value in window.scope.items())
    where += f" AND {dt} {'>=' if period == POST else '<'} u.{q('assigned_on')}"
    return (
        f"SELECT {', '.join(select)}\n    FROM assigned_units AS u JOIN {q(table)} AS j "
        f"ON j.{unit} = u.{q('unit_id')}\n    WHERE {where}\n    GROUP BY u.{q('unit_id')}"
    )


def base_aggregate(
    expression: str,
    table: Table,
    dt_name: str,
    lo: date,
    hi: date,
    dialect: str,
    *,
    portable: bool = False,
) -> tuple[str, bool]:
    """A metric expression over the rows `j` of one period, and whether it needs its own CTE.

    DISTINCT aggregates are slow in a GROUP BY with many groups (DuckDB turns them into a
    second grouping on (unit, value)) and get a CTE each. The common one, COUNT(DISTINCT
    <the date column>) ("active days"), is rewritten exactly for DuckDB: the period spans at
    most a few hundred days, so each unit's days fit in a bitmask per 64 days, OR-ed
    together and counted — a plain aggregate, several times faster.
    """
    qualified_sql = qualified(expression, "j", dialect)
    tree = parsed(qualified_sql, dialect).copy()
    if not any(isinstance(n, exp.Distinct) for n in tree.walk()):
        return qualified_sql, False
    column = table.column(dt_name)
    is_date = column is not None and column.type.strip().upper() == "DATE"
    distinct = tree.this if isinstance(tree, exp.Count) else None
    if (
        dialect == "duckdb"
        and not portable
        and is_date
        and isinstance(distinct, exp.Distinct)
        and len(distinct.expressions) == 1
        and isinstance(distinct.expressions[0], exp.Column)
        and distinct.expressions[0].name.lower() == dt_name.lower()
    ):
        return distinct_days(f"j.{quote(dt_name, dialect)}", lo, hi, dialect), False
    return tree.sql(dialect=dialect), True
