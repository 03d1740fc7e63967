"""Percentiles in each engine's own form; where only an approximation exists, it is said.

Spark's exact continuous percentile is `percentile(x, q)`: sqlglot writes the two-argument
`PERCENTILE_CONT(x, q)` Spark refuses, and silently `PERCENTILE_APPROX` for the
`WITHIN GROUP` form. sqlglot writes `MEDIAN(x)` for Trino/Presto as
`PERCENTILE_CONT(x, 0.5)` and leaves `MEDIAN(x)` for BigQuery; neither engine has that
function, so the query would fail there.
Trino's form is `approx_percentile(x, q)`, BigQuery's `APPROX_QUANTILES(x, 100)[OFFSET(k)]`.
Both are approximate, so the rewrite comes with a warning: the answer is never silently an
estimate. A quantile BigQuery's 100 buckets cannot hold exactly is `transpile-unsupported`.
"""

from __future__ import annotations

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error, warning

_APPROX_PERCENTILE = frozenset({"trino", "presto", "athena"})
_APPROX_QUANTILES = frozenset({"bigquery"})
_EXACT_PERCENTILE = frozenset({"spark", "databricks"})
_BUCKETS = 100


def _dialect(ctx: RuleContext) -> str:
    return type(ctx.write_dialect).__name__.lower()


def _percentile(node: exp.Expr) -> tuple[exp.Expr, exp.Expr] | None:
    """(value, quantile) of an exact percentile aggregate, in any of its spellings."""
    if isinstance(node, exp.Median):
        return node.this, exp.Literal.number(0.5)
    if isinstance(node, exp.PercentileCont | exp.PercentileDisc) and node.expression:
        return node.this, node.expression
    if isinstance(node, exp.WithinGroup) and isinstance(
        node.this, exp.PercentileCont | exp.PercentileDisc
    ):
        order = node.expression
        if isinstance(order, exp.Order) and len(order.expressions) == 1:
            value = order.expressions[0]
            return (value.this if isinstance(value, exp.Ordered) else value), node.this.this
    return None


def _continuous(node: exp.Expr) -> bool:
    inner = node.this if isinstance(node, exp.WithinGroup) else node
    return isinstance(inner, exp.PercentileCont)


def portable_percentiles(ctx: RuleContext) -> tuple[exp.Expr, list[Problem]]:
    """The tree with its percentile aggregates rewritten in place (a rewrite rule)."""
    return ctx.tree, _rewrite(ctx)


def _rewrite(ctx: RuleContext) -> list[Problem]:
    dialect = _dialect(ctx)
    if dialect not in _APPROX_PERCENTILE | _APPROX_QUANTILES | _EXACT_PERCENTILE:
        return []
    if not ctx.is_query:
        return []
    found = [(n, p) for n in ctx.tree.walk() if (p := _percentile(n)) is not None]
    if dialect in _EXACT_PERCENTILE:
        for node, (value, quantile) in found:
            if _continuous(node):
                node.replace(exp.Quantile(this=value.copy(), quantile=quantile.copy()))
        return []
    problems: list[Problem] = []
    for node, (value, quantile) in found:
        if dialect in _APPROX_PERCENTILE:
            node.replace(exp.ApproxQuantile(this=value.copy(), quantile=quantile.copy()))
            continue
        q = float(quantile.name) if isinstance(quantile, exp.Literal) else None
        k = round(q * _BUCKETS) if q is not None else None
        if q is None or k is None or abs(k - q * _BUCKETS) > 1e-9 or not 0 <= k <= _BUCKETS:
            return [
                error(
                    "transpile-unsupported",
                    f"BigQuery has no exact percentile aggregate, and the quantile "
                    f"{quantile.sql()} is not a whole percent for APPROX_QUANTILES.",
                    "Use a quantile such as 0.5 or 0.95, or compute it elsewhere.",
                )
            ]
        approx = exp.ApproxQuantiles(this=value.copy(), expression=exp.Literal.number(_BUCKETS))
        node.replace(exp.Bracket(this=approx, expressions=[exp.Literal.number(k)], offset=0))
    if found:
        form = "approx_percentile" if dialect in _APPROX_PERCENTILE else "APPROX_QUANTILES"
        problems.append(
            warning(
                "approximate-percentile",
                f"{type(ctx.write_dialect).__name__} has no exact median or percentile "
                f"aggregate: computed with {form}, an approximation.",
                "Expect a small relative error; an exact value needs another engine.",
            )
        )
    return problems
