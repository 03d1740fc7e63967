"""Identifiers, literals and metric expressions rendered for one SQL dialect."""

from __future__ import annotations

from datetime import date

from sqlglot import exp, parse_one

from tools.errors import ExperimentError
from tools.sql.identifiers import quote_identifier


def quote(name: str, dialect: str) -> str:
    return quote_identifier(name, dialect)


def literal(value: str | date | float, dialect: str) -> str:
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE").sql(dialect=dialect)
    if isinstance(value, str):
        return exp.Literal.string(value).sql(dialect=dialect)
    return exp.Literal.number(value).sql(dialect=dialect)


def qualified(expression: str, alias: str, dialect: str) -> str:
    """A metric expression with every column read from `alias` (quoted), in `dialect`."""
    tree = parse_one(expression, read=dialect)
    if not any(isinstance(n, exp.AggFunc) for n in tree.walk()):
        raise ExperimentError(
            f"Metric expression {expression!r} has no aggregate",
            hint="Metric numerators and denominators aggregate per unit, "
            "e.g. SUM(saves) or COUNT(DISTINCT dt).",
        )
    for column in tree.find_all(exp.Column):
        column.set("table", exp.to_identifier(alias))
        if isinstance(column.this, exp.Identifier):
            column.this.set("quoted", True)
    return tree.sql(dialect=dialect)
