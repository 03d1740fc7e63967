"""Every column resolves to exactly one source, with "did you mean" for near misses.

Runs sqlglot's `qualify` (normalize identifiers, qualify tables, qualify columns, expand stars)
on a copy of the tree, then checks every scope the way `validate_qualify_columns` does — but it
reports every unresolved or ambiguous column, not only the first, and it accepts correlated
references to an outer query. The qualified copy is kept for the rules that follow.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from tools.sql.context import Qualified, RuleContext
from tools.sql.problems import Problem, error


def resolve_columns(ctx: RuleContext) -> tuple[Qualified | None, list[Problem]]:
    """Unresolved or ambiguous columns, and the qualified tree with its scopes when none."""
    # catalog_tables derived a normalized copy; qualify only adds to it (in place: no later
    # rule reads `normalized`), so it is not copied again.
    tree = ctx.normalized if ctx.normalized is not None else ctx.tree.copy()
    try:
        qualified = qualify(
            tree,
            dialect=ctx.read_dialect,
            schema=ctx.schema,
            validate_qualify_columns=False,
            quote_identifiers=False,
        )
    except OptimizeError as exc:
        # qualify stops at the first unknown `alias.column`; look again to report them all.
        problems = _check_qualified_references(ctx)
        return None, problems or [
            error(
                "unresolved-column",
                f"Cannot resolve the query's columns: {exc}",
                "Check the column and table names against the catalog.",
            )
        ]
    scopes = traverse_scope(qualified)
    problems = _check_scopes(scopes, ctx)
    return (None if problems else Qualified(qualified, scopes)), problems


def _check_qualified_references(ctx: RuleContext) -> list[Problem]:
    """`alias.column` where the alias is a catalog table or a CTE without that column."""
    tree = normalize_identifiers(ctx.tree.copy(), dialect=ctx.read_dialect)
    problems: list[Problem] = []
    for scope in traverse_scope(tree):
        problems.extend(_unknown_qualified(scope, ctx))
    return problems


def _unknown_qualified(scope: Scope, ctx: RuleContext) -> Iterable[Problem]:
    known: dict[str, list[str] | None] = {}
    for column in scope.columns:
        if not column.table or column.table not in scope.sources:
            continue
        if column.table not in known:
            known[column.table] = _source_columns(scope.sources[column.table], ctx)
        names = known[column.table]
        if names is not None and column.name not in names:
            yield _unknown(column, column.name, names, where=f" in `{column.table}`")


def _check_scopes(scopes: list[Scope], ctx: RuleContext) -> list[Problem]:
    problems: list[Problem] = []
    for scope in scopes:
        if not isinstance(scope.expression, exp.Select):
            continue
        problems.extend(_unknown_qualified(scope, ctx))
        for column in _unresolved(scope):
            if column.table:
                if not _outer_has_source(scope, column.table):
                    problems.append(
                        error(
                            "unknown-table-alias",
                            f"`{column.table}.{column.name}`: no table or alias `{column.table}` "
                            "in this query.",
                            _did_you_mean(column.table, _aliases(scope))
                            or "Qualify columns with a table name or alias from FROM/JOIN.",
                            node=column,
                        )
                    )
                continue
            holders = [
                name
                for name, source in scope.selected_sources.items()
                if column.name in (_source_columns(source[1], ctx) or ())
            ]
            if len(holders) > 1:
                problems.append(
                    error(
                        "ambiguous-column",
                        f"Column `{column.name}` is ambiguous: it is in "
                        + ", ".join(f"`{h}`" for h in holders)
                        + ".",
                        "Qualify it: " + " or ".join(f"`{h}.{column.name}`" for h in holders) + ".",
                        node=column,
                    )
                )
            elif not _in_outer_scope(scope, column.name, ctx):
                names = [n for s in scope.sources.values() for n in (_source_columns(s, ctx) or ())]
                problems.append(_unknown(column, column.name, names, where=""))
    return problems


def _unresolved(scope: Scope) -> Iterable[exp.Column]:
    seen: set[int] = set()
    if scope.pivots:  # pivot output columns are named by the data; sqlglot skips them too
        external: list[exp.Column] = []
    elif scope.is_correlated_subquery:
        external = [c for c in scope.external_columns if not c.table]
    else:
        external = scope.external_columns
    for column in [*scope.unqualified_columns, *external, *_clause_columns(scope)]:
        if id(column) not in seen:
            seen.add(id(column))
            yield column


def _clause_columns(scope: Scope) -> Iterable[exp.Column]:
    """Unqualified names in HAVING, QUALIFY and ORDER BY that name no output column.

    sqlglot's scope leaves these out of `columns` (they may be output aliases), so
    `validate_qualify_columns` never sees an unknown one; qualify has already expanded the
    aliases it could, so what is left unqualified and is no output name resolves nowhere.
    """
    select = scope.expression
    if not isinstance(select, exp.Select):
        return
    named = set(select.named_selects)
    for key in ("having", "qualify", "order"):
        clause = select.args.get(key)
        if clause is None:
            continue
        for column in clause.find_all(exp.Column):
            if (
                not column.table
                and column.name not in named
                and column.find_ancestor(exp.Select) is select
            ):
                yield column


def _source_columns(source: exp.Expr | Scope, ctx: RuleContext) -> list[str] | None:
    """Column names a source provides, or None when unknown (then nothing is claimed)."""
    if isinstance(source, exp.Table):
        try:
            names = ctx.schema.column_names(source)
        except Exception:  # sqlglot raises plain errors for tables it does not know
            return None
        return list(names) or None
    if isinstance(source, Scope):
        expression = source.expression
        if isinstance(expression, exp.Query):
            names = expression.named_selects
            alias = source.expression.parent
            if isinstance(alias, (exp.Subquery, exp.CTE)):
                columns = alias.args.get("alias")
                if isinstance(columns, exp.TableAlias) and columns.columns:
                    return [c.name for c in columns.columns]
            if "*" in names or any(
                isinstance(s, exp.Star) or s.is_star for s in expression.selects
            ):
                return None
            return list(names)
    return None


def _in_outer_scope(scope: Scope, name: str, ctx: RuleContext) -> bool:
    outer = scope.parent
    while outer is not None:
        for source in outer.sources.values():
            if name in (_source_columns(source, ctx) or ()):
                return True
        outer = outer.parent
    return False


def _outer_has_source(scope: Scope, alias: str) -> bool:
    outer = scope.parent
    while outer is not None:
        if alias in outer.sources:
            return True
        outer = outer.parent
    return False


def _aliases(scope: Scope) -> list[str]:
    names: list[str] = []
    current: Scope | None = scope
    while current is not None:
        names.extend(current.sources)
        current = current.parent
    return names


def _unknown(column: exp.Column, name: str, candidates: Iterable[str], *, where: str) -> Problem:
    hint = _did_you_mean(name, candidates)
    known = sorted(set(candidates))
    if not hint:
        shown = ", ".join(known[:15]) + (" …" if len(known) > 15 else "")
        hint = f"Available columns: {shown}." if known else "Check the catalog."
    return error("unknown-column", f"Column `{name}` does not exist{where}.", hint, node=column)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    return ("Did you mean " + " or ".join(f"`{c}`" for c in close) + "?") if close else None
