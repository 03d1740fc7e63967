"""The SQL tools: a question to validated SQL (not run), and validated SQL run on the warehouse.

`run_sql` reaches the warehouse only through `tools.warehouse.run.run_validated`: the text a
model, the planner or a person wrote is validated, and only the validated text runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.sql.problems import Problem

if TYPE_CHECKING:
    from tools.catalog.model import Catalog
    from tools.planner.sql_answer import SqlAnswer
    from tools.sql.problems import ValidationReport
    from tools.warehouse.connection import Warehouse
    from tools.warehouse.execute import QueryResult

# Rows of a result the model reads; people and --json get every fetched row.
MODEL_ROWS = 20


def problems_text(problems: Iterable[Problem]) -> str:
    return "\n".join(
        f"[{p.code}] {p.message}" + (f" Hint: {p.hint}" if p.hint else "") for p in problems
    )


@dataclass(frozen=True)
class PlannedSqlResult:
    """A question mapped onto validated SQL that has not run (`lablens sql --no-execute --json`)."""

    answer: SqlAnswer

    @property
    def valid(self) -> bool:
        return self.answer.valid

    @property
    def sql(self) -> str:
        return self.answer.sql

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self.answer.errors)

    def to_dict(self) -> dict[str, object]:
        return self.answer.to_dict()

    def to_text(self) -> str:
        a = self.answer
        head = f"SQL ({'valid' if a.valid else 'rejected'}, {a.dialect}):\n{a.sql}"
        parts = [head]
        if a.explanation:
            parts.append(f"What it computes: {a.explanation}")
        if not a.valid:
            parts.append("Problems:\n" + problems_text(self.problems))
        parts.extend(f"Note: {n}" for n in a.notes)
        return "\n".join(parts)

    def summary(self) -> str:
        return (
            "validated SQL"
            if self.valid
            else f"rejected: {', '.join(p.code for p in self.problems)}"
        )


@dataclass(frozen=True)
class SqlRunResult:
    """Validated SQL and its rows (`lablens sql --raw --json`); no rows when it was rejected."""

    report: ValidationReport
    result: QueryResult | None

    @property
    def valid(self) -> bool:
        return self.report.valid

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self.report.errors)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = dict(self.report.to_dict())
        data.update(
            self.result.to_dict()
            if self.result is not None
            else {"columns": [], "rows": [], "row_count": 0, "truncated": False, "elapsed_ms": None}
        )
        return data

    def to_text(self) -> str:
        if self.result is None:
            return (
                "The SQL was rejected by the validator; nothing ran.\n"
                + problems_text(self.problems)
                + "\nFix the SQL and call run_sql again."
            )
        r = self.result
        lines = [f"SQL that ran ({self.report.dialect}):\n{self.report.sql}", "\t".join(r.columns)]
        lines += ["\t".join(format_value(v) for v in row) for row in r.rows[:MODEL_ROWS]]
        note = f"{r.row_count} row(s)"
        if r.row_count > MODEL_ROWS:
            note += f", first {MODEL_ROWS} shown"
        if r.truncated:
            note += " (cut at the row cap)"
        lines.append(note)
        return "\n".join(lines)

    def summary(self) -> str:
        if self.result is None:
            return f"rejected: {', '.join(self.report.codes)}"
        return f"{self.result.row_count} row(s)"


def format_value(value: object) -> str:
    """A cell as text: integers with no separators, floats with 6 significant digits."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 1e5 else f"{value:.6g}"
    return str(value)


def question_to_sql(answerer: Callable[[str], SqlAnswer], question: str) -> PlannedSqlResult:
    """Map `question` onto the catalog and validate the SQL (the answerer does not execute)."""
    return PlannedSqlResult(answerer(question))


def run_sql(
    sql: str,
    catalog: Catalog,
    warehouse: Warehouse,
    *,
    default_limit: int | None = 1000,
    read_dialect: str | None = None,
) -> SqlRunResult:
    """Validate `sql` and run the validated text read-only (never the text as given)."""
    from tools.warehouse.run import run_validated

    report, result = run_validated(
        sql, catalog, warehouse, read_dialect=read_dialect, default_limit=default_limit
    )
    return SqlRunResult(report, result)
