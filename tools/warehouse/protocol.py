"""The small interface every warehouse adapter implements (as Harlequin's adapters do)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tools.warehouse.execute import QueryResult


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # the engine's own type name, as the engine writes it
    comment: str = ""


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: list[ColumnInfo]
    comment: str = ""


class Warehouse(Protocol):
    """Read-only access to one warehouse.

    `execute` and `explain` run exactly one statement with the configured deadline and caps
    and raise `QueryError` on refusal; `cancel` may be called from any thread while a query
    runs, stops it (the query then raises `QueryError`) and is a no-op otherwise;
    `introspect` lists the base tables (not views) and their columns with types and comments,
    in table-name order (for `lablens init`); an unreachable warehouse raises `WarehouseError`.
    """

    dialect: str

    def explain(self, sql: str) -> str: ...

    def execute(self, sql: str) -> QueryResult: ...

    def cancel(self) -> None: ...

    def introspect(self) -> list[TableInfo]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Warehouse: ...

    def __exit__(self, *exc: object) -> None: ...
