"""A bound on how much work one statement may ask for, judged before any rule runs.

A 700-character chain of self-joined CTEs expands to billions of rows, and a 5,500-term OR
takes seconds to analyse: both are refused as `too-complex` instead. The bounds are far
above any hand-written or generated analytical query (the experiment statistics statement,
the largest lablens writes, has about 1,300 tokens, 2,000 nodes and 8 CTEs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.sql.problems import Problem, error

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlglot import exp

MAX_TOKENS = 10_000
MAX_NODES = 15_000
MAX_JOINS = 32
MAX_CTES = 64
# Table reads once every CTE reference is expanded into its body (a CTE read twice counts
# its reads twice): what the engine may actually have to join.
MAX_EXPANDED_READS = 256

_HINT = "Split the question into smaller queries, or aggregate before joining."


def too_complex(message: str) -> Problem:
    return error("too-complex", message, _HINT)


def check_tokens(count: int) -> list[Problem]:
    if count > MAX_TOKENS:
        return [too_complex(f"The SQL has {count:,} tokens; the limit is {MAX_TOKENS:,}.")]
    return []


def check_tree(tree: exp.Expr) -> list[Problem]:
    """Node count, joins, CTE count and the table reads after CTE expansion."""
    from sqlglot import exp

    joins = 0
    tables = 0
    ctes: list[exp.CTE] = []
    for nodes, node in enumerate(tree.walk(), start=1):
        if nodes > MAX_NODES:
            return [too_complex(f"The query has more than {MAX_NODES:,} parts.")]
        if isinstance(node, exp.Join):
            joins += 1
        elif isinstance(node, exp.Table):
            tables += 1
        elif isinstance(node, exp.CTE):
            ctes.append(node)
    if joins > MAX_JOINS:
        return [too_complex(f"The query has {joins} joins; the limit is {MAX_JOINS}.")]
    if len(ctes) > MAX_CTES:
        return [too_complex(f"The query has {len(ctes)} CTEs; the limit is {MAX_CTES}.")]
    reads = _expanded_reads(tree, ctes) if ctes else tables
    if reads > MAX_EXPANDED_READS:
        return [
            too_complex(
                f"With its CTEs expanded the query reads tables {reads:,} times; the limit is "
                f"{MAX_EXPANDED_READS}."
            )
        ]
    return []


def _expanded_reads(tree: exp.Expr, ctes: list[exp.CTE]) -> int:
    """Table reads with every CTE reference replaced by its body's reads (names folded)."""
    from sqlglot import exp

    bodies = {cte.alias_or_name.lower(): cte for cte in ctes}
    memo: dict[str, int] = {}

    def reads(tables: Iterator[exp.Table], visiting: frozenset[str]) -> int:
        total = 0
        for table in tables:
            name = table.name.lower()
            owner = bodies.get(name)
            if owner is None or table.args.get("db") or name in visiting:
                total += 1
                continue
            if name not in memo:
                memo[name] = reads(owner.this.find_all(exp.Table), visiting | {name})
            total += memo[name]
            if total > MAX_EXPANDED_READS:
                return total
        return total

    # The main query's own reads, CTE bodies excluded (they count where they are used): the
    # walk does not enter any WITH clause (a copy with them removed cost more than the check).
    outside_with = (
        node
        for node in tree.walk(prune=lambda n: isinstance(n, exp.With))
        if isinstance(node, exp.Table)
    )
    return reads(outside_with, frozenset())
