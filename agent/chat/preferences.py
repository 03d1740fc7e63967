"""The chat's own preferences (the theme), in the user's config folder, not the workspace:
the theme follows the person from workspace to workspace."""

from __future__ import annotations

import json
import os
from pathlib import Path


def preferences_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "lablens" / "chat.json"


def load_theme(path: Path | None = None) -> str | None:
    path = path or preferences_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no file or a damaged one: the default theme, never a crash
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(theme: str, path: Path | None = None) -> None:
    path = path or preferences_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"theme": theme}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home must not break the chat; the choice lasts this session
