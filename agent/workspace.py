"""A workspace: a folder with `lablens.toml` and the `.lablens/` state folder.

Found from `--workspace`, then `LABLENS_WORKSPACE`, then the current folder upwards.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config import CONFIG_FILE, Settings, load_settings
from tools.catalog.model import Catalog
from tools.errors import WorkspaceError

if TYPE_CHECKING:
    from indexes.embedders import EmbedderSpec

STATE_DIR = ".lablens"


def find_workspace_root(
    explicit: str | Path | None = None,
    *,
    cwd: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Path:
    env = os.environ if environ is None else environ
    if explicit is not None:
        return _require(Path(explicit), "--workspace")
    if env.get("LABLENS_WORKSPACE"):
        return _require(Path(env["LABLENS_WORKSPACE"]), "LABLENS_WORKSPACE")
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise WorkspaceError(
        f"No lablens workspace found in {here} or any folder above it.",
        hint="Pass --workspace DIR, set LABLENS_WORKSPACE, or create one with "
        "`lablens demo --workspace DIR` or `lablens init --warehouse FILE`.",
    )


def _require(path: Path, source: str) -> Path:
    path = path.expanduser().resolve()
    if not (path / CONFIG_FILE).is_file():
        raise WorkspaceError(
            f"{path} (from {source}) is not a lablens workspace: it has no {CONFIG_FILE}.",
            hint="Create one with `lablens demo --workspace DIR` or `lablens init`.",
        )
    return path


@dataclass
class Workspace:
    root: Path
    settings: Settings

    @classmethod
    def open(
        cls,
        explicit: str | Path | None = None,
        *,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> Workspace:
        root = find_workspace_root(explicit)
        return cls(root=root, settings=load_settings(root / CONFIG_FILE, overrides=overrides))

    @property
    def state_dir(self) -> Path:
        path = self.root / STATE_DIR
        path.mkdir(exist_ok=True)
        return path

    @property
    def catalog_path(self) -> Path:
        return self.root / self.settings.catalog

    @property
    def warehouse_path(self) -> Path | None:
        w = self.settings.warehouse
        if w.url is not None or w.path is None:
            return None
        return (self.root / w.path).resolve()

    @property
    def doc_paths(self) -> list[Path]:
        return [(self.root / p).resolve() for p in self.settings.docs.paths]

    def embedder_spec(self) -> EmbedderSpec:
        """The `indexes` embedder spec for this workspace's [embeddings] settings."""
        from indexes.embedders import EmbedderSpec

        e = self.settings.embeddings
        return EmbedderSpec(
            provider=e.provider,
            runtime=e.runtime,
            model=e.model,
            base_url=e.base_url,
            api_key=e.api_key.get_secret_value() if e.api_key else None,
        )

    @cached_property
    def catalog(self) -> Catalog:
        from tools.catalog.load import load_catalog

        return load_catalog(self.catalog_path)
