"""Where the shared public data sets live: `shared/external/` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# CI clones the repository with shared/ beside it; LABLENS_SHARED overrides for other layouts.
SHARED = Path(os.environ.get("LABLENS_SHARED", REPO.parent / "shared"))
EXTERNAL = SHARED / "external"
