"""Read-only, proven on the whole tree: an allow-list of node kinds, not a first-keyword check.

The statement must be a query (SELECT, set operation or parenthesized query), and every node
anywhere inside it — CTEs, subqueries, expressions — must belong to the families a query is
made of. Statements (DDL, DML, COPY, ATTACH, PRAGMA, SET, INSTALL …), unparsed `Command`s and
clauses with side effects (`SELECT … INTO`, `FOR UPDATE`, `NEXT VALUE FOR`) are refused, so
`WITH x AS (DELETE … RETURNING *) SELECT …` fails like a bare DELETE does.
"""

from __future__ import annotations

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.problems import Problem, error

ALLOWED_ROOTS: tuple[type[exp.Expr], ...] = (exp.Select, exp.SetOperation, exp.Subquery)

# sqlglot groups node classes by module; query parts live in these. Anything defined elsewhere
# (ddl, dml, properties, constraints) — including classes added by future sqlglot versions —
# is refused unless listed in ALLOWED_EXTRA.
_SAFE_MODULES = frozenset(
    f"sqlglot.expressions.{m}"
    for m in (
        "core",
        "query",
        "functions",
        "string",
        "temporal",
        "math",
        "aggregate",
        "array",
        "json",
        "datatypes",
    )
)
# Harmless expression nodes that sqlglot happens to define in the ddl module.
ALLOWED_EXTRA: frozenset[type[exp.Expr]] = frozenset({exp.Comprehension})

# Nodes in the safe modules that are statements or side effects, not parts of a read.
DENIED: frozenset[type[exp.Expr]] = frozenset(
    {
        exp.Into,
        exp.Lock,
        exp.Cache,
        exp.Uncache,
        exp.Refresh,
        exp.LockingStatement,
        exp.Grant,
        exp.Revoke,
        exp.Analyze,
        exp.Put,
        exp.Get,
        exp.ListStage,
        exp.StoredProcedure,
        exp.Block,
        exp.IfBlock,
        exp.WhileBlock,
        exp.LoopBlock,
        exp.RepeatBlock,
        exp.Return,
        exp.Leave,
        exp.Iterate,
        exp.MultitableInserts,
        exp.ConditionalInsert,
        exp.AddPartition,
        exp.DropPartition,
        exp.ReplacePartition,
        exp.EndStatement,
        exp.Semicolon,
        # Text whose meaning depends on the dialect and the session: sqlglot writes T-SQL
        # `@@A` as DuckDB `$$A` (a dollar-quoted string there), `:x` as `$x`, and a
        # parameter has no value to judge. None is proven safe, so none runs.
        exp.SessionParameter,
        exp.Parameter,
        exp.Placeholder,
        exp.Introducer,
        exp.National,
        exp.Heredoc,
    }
)

DIALECT_DEPENDENT = (
    exp.SessionParameter,
    exp.Parameter,
    exp.Placeholder,
    exp.Introducer,
    exp.National,
    exp.Heredoc,
)

_HINT = "Only read-only queries run here: one SELECT (with CTEs, joins, subqueries, UNION …)."


def read_only(ctx: RuleContext) -> list[Problem]:
    problems: list[Problem] = []
    for statement in ctx.statements:
        problems.extend(_check_statement(statement))
    return problems


def _check_statement(statement: exp.Expr) -> list[Problem]:
    if isinstance(statement, exp.Command):
        return [_unparsed(statement)]
    if not isinstance(statement, ALLOWED_ROOTS):
        return [
            error(
                "not-read-only",
                f"{_kind(statement)} is not a read-only query.",
                _HINT,
                node=statement,
            )
        ]
    problems = []
    seen: set[str] = set()
    stack = list(statement.iter_expressions())
    while stack:
        node = stack.pop()
        if _allowed(node):
            stack.extend(node.iter_expressions())
            continue
        # One problem per refused node; its insides (a DELETE's RETURNING …) add nothing.
        kind = _kind(node)
        if kind in seen:
            continue
        seen.add(kind)
        if isinstance(node, exp.Command):
            problems.append(_unparsed(node))
        elif isinstance(node, DIALECT_DEPENDENT):
            problems.append(
                error(
                    "dialect-dependent",
                    f"{kind} is not allowed: what it means depends on the dialect or the "
                    "session, so it cannot be proven safe.",
                    "Write the value itself (a literal) instead.",
                    node=node,
                )
            )
        else:
            problems.append(
                error(
                    "not-read-only",
                    f"{kind} is not allowed inside a query (it is not read-only).",
                    _HINT,
                    node=node,
                )
            )
    return problems


def _allowed(node: exp.Expr) -> bool:
    cls = type(node)
    if cls in DENIED:
        return False
    return cls.__module__ in _SAFE_MODULES or cls in ALLOWED_EXTRA


def _unparsed(node: exp.Command) -> Problem:
    word = str(node.this).upper()
    return error(
        "unparsed-statement",
        f"`{word} …` is not a query lablens can check, so it cannot run.",
        _HINT,
        node=node,
    )


def _kind(node: exp.Expr) -> str:
    """A readable name for a node: `SELECT … INTO`, `DELETE`, `CREATE` …"""
    names = {
        exp.Into: "SELECT … INTO",
        exp.Lock: "FOR UPDATE / FOR SHARE",
        exp.TruncateTable: "TRUNCATE",
        exp.Set: "SET",
        exp.Pragma: "PRAGMA",
        exp.Copy: "COPY",
        exp.Attach: "ATTACH",
        exp.Detach: "DETACH",
        exp.Install: "INSTALL",
        exp.Export: "EXPORT",
        exp.Use: "USE",
        exp.Transaction: "BEGIN TRANSACTION",
        exp.NextValueFor: "NEXT VALUE FOR",
        exp.SessionParameter: "A session variable (`@@x`)",
        exp.Parameter: "A parameter or variable (`@x`, `@@x`, `$x`, `${x}`)",
        exp.Placeholder: "A placeholder (`?`, `:x`)",
    }
    for cls, name in names.items():
        if isinstance(node, cls):
            return name
    return node.key.upper()
