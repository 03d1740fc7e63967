"""What every rule sees: the statement, the catalog and the dialects, plus what earlier rules
derived from it.

The context is frozen. A rule never sets attributes on it: the pipeline in `rules/__init__.py`
builds the next context from what the rule returns (a rewritten `tree`, or a value for one of
the declared fields below), so which rule produces what is written in `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.optimizer.scope import Scope
    from sqlglot.schema import MappingSchema

    from tools.catalog.model import Catalog


@dataclass(frozen=True)
class CatalogView:
    """The catalog normalized for one dialect: sqlglot's schema, and table names (normalized
    the way the dialect normalizes an unquoted identifier -> name as the catalog writes it)."""

    schema: MappingSchema
    tables: dict[str, str]


# An engine dry run: raises on a statement the engine would refuse (e.g. `Warehouse.explain`).
Explain = Callable[[str], Any]


@dataclass(frozen=True)
class Qualified:
    """A fully qualified copy of the tree (for analysis only) and its scopes, innermost first."""

    tree: exp.Expr
    scopes: list[Scope]


@dataclass(frozen=True)
class RuleContext:
    """One validation's inputs and the trees derived so far.

    `tree` is the statement as the user wrote it; rewrites (`sqlite_strings`, `add_limit`)
    replace it. `normalized` (from `catalog_tables`) has identifiers normalized for the read
    dialect, so names in it compare the way the engine compares them; `qualified` (from
    `resolve_columns`) is a fully qualified copy used only for analysis, so the SQL that runs
    stays close to what the user wrote; `output_sql` (from `transpile`) is the text that runs.
    `recheck` is set when the context judges that final text, re-parsed in the warehouse's
    dialect (`output_matches`).
    """

    sql: str
    statements: list[exp.Expr]
    catalog: Catalog
    view: CatalogView  # for the read dialect
    write_view: CatalogView  # for the warehouse dialect
    read_dialect: Dialect
    write_dialect: Dialect
    default_limit: int | None
    explain: Explain | None
    tree: exp.Expr
    normalized: exp.Expr | None = None
    qualified: Qualified | None = None
    output_sql: str | None = None
    recheck: bool = False

    @property
    def schema(self) -> MappingSchema:
        return self.view.schema

    @property
    def is_query(self) -> bool:
        """The statement is a query; when not, `read_only` has said all there is to say."""
        from sqlglot import exp

        return isinstance(self.tree, exp.Query)
