"""The describe-catalog tool: tables, columns and metrics as the catalog describes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.catalog.model import Catalog, Table

# Columns listed per table in the model's text: the catalog's own order, bounded.
MAX_VALUES = 12


@dataclass(frozen=True)
class CatalogResult:
    catalog: Catalog
    tables: tuple[Table, ...]
    one_table: bool

    def to_dict(self) -> dict[str, object]:
        """The `lablens catalog show --json` shape."""
        from tools.strict_records import to_plain

        data: dict[str, object] = {
            "catalog": self.catalog.name,
            "dialect": self.catalog.dialect,
            "tables": [to_plain(t) for t in self.tables],
        }
        if not self.one_table:
            data["metrics"] = [to_plain(m) for m in self.catalog.metrics]
            data["join_keys"] = [to_plain(j) for j in self.catalog.join_keys]
        return data

    def to_text(self) -> str:
        lines = []
        for t in self.tables:
            part = (
                f" (partition column {t.partition_column}: filter on it)"
                if (t.require_partition_filter)
                else ""
            )
            lines.append(f"table {t.name}{part}: {t.description}".rstrip(": "))
            for c in t.columns:
                extra = ""
                if self.one_table and c.values:
                    extra = " values: " + ", ".join(list(c.values)[:MAX_VALUES])
                lines.append(f"  - {c.name} {c.type}: {c.description}{extra}".rstrip(": "))
        if not self.one_table:
            lines.append("metrics:")
            for m in self.catalog.metrics:
                definition = m.numerator + (f" / {m.denominator}" if m.denominator else "")
                lines.append(
                    f"  - {m.name} ({m.kind.value}): {definition} per {m.unit}; {m.description}"
                )
        return "\n".join(lines)

    def summary(self) -> str:
        if self.one_table:
            t = self.tables[0]
            return f"table {t.name}: {len(t.columns)} columns"
        return f"{len(self.tables)} tables, {len(self.catalog.metrics)} metrics"


def describe_catalog(catalog: Catalog, table: str | None = None) -> CatalogResult:
    """The whole catalog, or one table; an unknown table is a CatalogError with "did you mean"."""
    from tools.did_you_mean import did_you_mean
    from tools.errors import CatalogError

    if table:
        found = catalog.table(table)
        if found is None:
            raise CatalogError(
                f"No table {table!r} in the catalog.",
                hint=did_you_mean(table, catalog.table_names)
                or f"Tables: {', '.join(catalog.table_names)}",
            )
        return CatalogResult(catalog, (found,), True)
    return CatalogResult(catalog, tuple(catalog.tables), False)
