"""Validation rules, one module each, chained from `RULES` in order.

Each rule is a function `(RuleContext) -> list[Problem]`. Safety rules run on any parsed
statement and all report; a rule marked `needs_clean` runs only while no error has been found,
because it relies on what the earlier rules proved (one read-only statement over catalog
tables, with resolved columns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tools.sql.context import RuleContext
from tools.sql.problems import Problem
from tools.sql.rules.add_limit import add_limit
from tools.sql.rules.aggregates import aggregates
from tools.sql.rules.catalog_tables import catalog_tables
from tools.sql.rules.denied_functions import denied_functions
from tools.sql.rules.explain import explain
from tools.sql.rules.file_reads import file_reads
from tools.sql.rules.partition_filter import partition_filter
from tools.sql.rules.portable_percentiles import portable_percentiles
from tools.sql.rules.read_only import read_only
from tools.sql.rules.resolve_columns import resolve_columns
from tools.sql.rules.single_statement import single_statement
from tools.sql.rules.sqlite_strings import sqlite_strings
from tools.sql.rules.transpile import transpile


@dataclass(frozen=True)
class Rule:
    check: Callable[[RuleContext], list[Problem]]
    needs_clean: bool = False

    @property
    def name(self) -> str:
        return self.check.__name__


RULES: tuple[Rule, ...] = (
    Rule(single_statement),
    Rule(read_only),
    Rule(file_reads),
    Rule(denied_functions),
    Rule(sqlite_strings),
    Rule(catalog_tables),
    Rule(resolve_columns, needs_clean=True),
    Rule(partition_filter, needs_clean=True),
    Rule(aggregates, needs_clean=True),
    Rule(add_limit, needs_clean=True),
    Rule(portable_percentiles, needs_clean=True),
    Rule(transpile, needs_clean=True),
    Rule(explain, needs_clean=True),
)
