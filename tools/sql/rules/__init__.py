"""Validation rules, one module each, chained from `RULES` in order.

Three kinds of rule, so that what each one may change is visible here:

- a **check** reads the context and returns problems; it changes nothing;
- a **rewrite** returns a new `tree` (and problems, e.g. the `limit-added` warning); the
  pipeline puts that tree in the next context. A rewrite may reuse the nodes of the tree it
  was given: the pipeline owns that tree and never reads the old version again;
- a **derive** computes one declared field of the context (`normalized`, `qualified`,
  `output_sql`) that later rules read, and returns it with its problems.

The order contract:

1. Safety checks (`single_statement` … `allowed_functions`) run on any parsed statement and
   all report, so one run lists every reason a statement is refused.
2. A rule marked `needs_clean` runs only while no error has been found: it relies on what the
   rules before it proved (one read-only statement over catalog tables, with resolved columns).
3. `catalog_tables` derives `normalized`, which `resolve_columns` qualifies into `qualified`,
   which `partition_filter` and `aggregates` read; rewrites that change the query's meaning
   never run after the checks that judge it (`add_limit` only bounds the row count).
4. `transpile` derives `output_sql` from the final tree; `output_matches` re-parses that text
   in the warehouse's dialect and runs this whole chain again on it, so what runs is what was
   proven; `explain` dry-runs exactly that text last, on the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.sql.context import RuleContext
from tools.sql.problems import Problem
from tools.sql.rules.add_limit import add_limit
from tools.sql.rules.aggregates import aggregates
from tools.sql.rules.allowed_functions import allowed_functions
from tools.sql.rules.catalog_tables import catalog_tables
from tools.sql.rules.denied_functions import denied_functions
from tools.sql.rules.explain import explain
from tools.sql.rules.file_reads import file_reads
from tools.sql.rules.output_matches import output_matches
from tools.sql.rules.partition_filter import partition_filter
from tools.sql.rules.portable_percentiles import portable_percentiles
from tools.sql.rules.read_only import read_only
from tools.sql.rules.resolve_columns import resolve_columns
from tools.sql.rules.single_statement import single_statement
from tools.sql.rules.sqlite_strings import sqlite_strings
from tools.sql.rules.transpile import transpile

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True)
class Check:
    """Context in, problems out."""

    fn: Callable[[RuleContext], list[Problem]]
    needs_clean: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__


@dataclass(frozen=True)
class Rewrite:
    """Context in, (new tree, problems) out."""

    fn: Callable[[RuleContext], tuple[exp.Expr, list[Problem]]]
    needs_clean: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__


@dataclass(frozen=True)
class Derive:
    """Context in, (value of the context field `produces`, problems) out."""

    fn: Callable[[RuleContext], tuple[Any, list[Problem]]]
    produces: str
    needs_clean: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__


Rule = Check | Rewrite | Derive

RULES: tuple[Rule, ...] = (
    Check(single_statement),
    Check(read_only),
    Check(file_reads),
    Check(denied_functions),
    Check(allowed_functions),
    Rewrite(sqlite_strings),
    Derive(catalog_tables, produces="normalized"),
    Derive(resolve_columns, produces="qualified", needs_clean=True),
    Check(partition_filter, needs_clean=True),
    Check(aggregates, needs_clean=True),
    Rewrite(add_limit, needs_clean=True),
    Rewrite(portable_percentiles, needs_clean=True),
    Derive(transpile, produces="output_sql", needs_clean=True),
    Derive(output_matches, produces="output_sql", needs_clean=True),
    Check(explain, needs_clean=True),
)

_FIELDS = {f.name for f in dataclasses.fields(RuleContext)}
assert all(r.produces in _FIELDS for r in RULES if isinstance(r, Derive))


def run_rules(ctx: RuleContext, problems: list[Problem]) -> RuleContext:
    """Run `RULES` in order, appending to `problems`; returns the final context."""
    for rule in RULES:
        if rule.needs_clean and any(p.severity == "error" for p in problems):
            break
        if isinstance(rule, Check):
            problems.extend(rule.fn(ctx))
        elif isinstance(rule, Rewrite):
            tree, found = rule.fn(ctx)
            problems.extend(found)
            if tree is not ctx.tree:
                ctx = dataclasses.replace(ctx, tree=tree)
        else:
            value, found = rule.fn(ctx)
            problems.extend(found)
            ctx = dataclasses.replace(ctx, **{rule.produces: value})
    return ctx
