"""`lablens demo`: lay out the Pinlab workspace — warehouse, catalog, docs, config, index."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import CONFIG_FILE, DocsSettings, Settings, render_config

if TYPE_CHECKING:
    from indexes.index_run import ProgressEvent

PACKAGE_DIR = Path(__file__).parent
DOC_FOLDERS = ("docs", "reports")
WAREHOUSE_FILE = "warehouse.duckdb"
CATALOG_FILE = "catalog.yaml"


@dataclass
class DemoSummary:
    root: Path
    row_counts: dict[str, int]
    documents: int
    index: dict[str, object] | None = None  # the index run's summary, when indexed
    steps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "workspace": str(self.root),
            "tables": self.row_counts,
            "documents": self.documents,
            "index": self.index,
        }


def demo_settings() -> Settings:
    return Settings(catalog=CATALOG_FILE, docs=DocsSettings(paths=list(DOC_FOLDERS)))


def build_demo_workspace(
    root: Path,
    *,
    scale: float = 1.0,
    seed: int = 7,
    index: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Create (or refresh) the demo workspace at `root`; the warehouse is rebuilt from `seed`."""
    from agent.demo.warehouse import write_warehouse

    say = progress or (lambda _msg: None)
    root.mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(render_config(demo_settings()), encoding="utf-8")
    shutil.copyfile(PACKAGE_DIR / CATALOG_FILE, root / CATALOG_FILE)
    documents = 0
    for folder in DOC_FOLDERS:
        target = root / folder
        target.mkdir(exist_ok=True)
        for doc in sorted((PACKAGE_DIR / folder).glob("*.md")):
            shutil.copyfile(doc, target / doc.name)
            documents += 1
    counts = write_warehouse(root / WAREHOUSE_FILE, scale=scale, seed=seed, progress=say)
    summary = DemoSummary(root=root, row_counts=counts, documents=documents)
    if index:
        say("indexing docs and reports")
        summary.index = index_demo_docs(root, progress=_index_progress(say))
    return summary


def _index_progress(say: Callable[[str], None]) -> Callable[[ProgressEvent], None]:
    def report(event: ProgressEvent) -> None:
        say(
            f"indexing docs: {event.files_done}/{event.files_total} files, "
            f"{event.embedded} chunks embedded"
        )

    return report


def index_demo_docs(
    root: Path, *, progress: Callable[[ProgressEvent], None] | None = None
) -> dict[str, object]:
    from agent.workspace import Workspace
    from indexes.build import build_index

    ws = Workspace.open(root)
    summary = build_index(
        ws.doc_paths,
        ws.state_dir,
        root=ws.root,
        embedder=ws.embedder_spec(),
        chroma_url=ws.settings.docs.chroma_url,
        max_file_mb=ws.settings.docs.max_file_mb,
        progress=progress,
    )
    return summary.to_dict()
