"""What a validation verdict depends on besides the SQL: the validator's code and the catalog.

`validate_sql` is a pure function of (SQL, catalog, dialect, options), so a verdict may be
reused for the same inputs. The fingerprints below change whenever the validator's own files
(rules, function lists) or sqlglot change, and whenever the catalog's content changes.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.catalog.model import Catalog

_SQL_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def validator_fingerprint() -> str:
    """sqlglot's version and every file of `tools/sql` (path, size, mtime): stat calls only."""
    import sqlglot

    h = hashlib.sha256(str(getattr(sqlglot, "__version__", "?")).encode())
    for path in sorted(_SQL_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".txt") and path.is_file():
            st = path.stat()
            h.update(f"{path.relative_to(_SQL_PACKAGE)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def catalog_fingerprint(catalog: Catalog) -> str:
    """A digest of the catalog's whole content (msgspec's deterministic JSON encoding)."""
    import msgspec

    return hashlib.sha256(msgspec.json.encode(catalog)).hexdigest()
