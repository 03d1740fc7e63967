"""One module per CLI command group; each exports `register(subparsers)`.

Modules here import only the standard library at module level: heavy work happens inside
the handlers, so `lablens --help` stays fast. New modules are discovered automatically.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

COMMAND_MODULES = tuple(
    sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_")
    )
)
