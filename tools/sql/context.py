"""What every rule sees: the statement, the catalog and the dialects, plus results so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class RuleContext:
    """Shared state of one validation.

    `tree` is the first statement as the user wrote it; rewriting rules (`add_limit`) replace
    it. `qualified` is a separate, fully qualified copy used only for analysis, so the SQL
    that runs stays close to what the user wrote.
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
    # `tree` with identifiers normalized for the read dialect (set by catalog_tables); names
    # in it compare exactly, the way the engine will compare them.
    normalized: exp.Expr | None = None
    qualified: exp.Expr | None = None
    scopes: list[Scope] = field(default_factory=list)  # of `qualified`, innermost first
    output_sql: str | None = None

    @property
    def schema(self) -> MappingSchema:
        return self.view.schema

    @property
    def is_query(self) -> bool:
        """The statement is a query; when not, `read_only` has said all there is to say."""
        from sqlglot import exp

        return isinstance(self.tree, exp.Query)
