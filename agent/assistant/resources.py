"""What a session opens only when a question first needs it: warehouse, embedder, model, planner.

`lablens ask "how do we handle SRM?"` never opens DuckDB; a data question never loads the
embedding model. Every opener runs at most once per session and `close()` releases them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.assistant.tools.experiments import ExperimentListResult
    from agent.llm.model import ChatModel
    from agent.workspace import Workspace
    from indexes.embedders import Embedder
    from tools.catalog.model import Catalog
    from tools.planner.answer import SqlAnswer
    from tools.warehouse.connection import Warehouse


class Resources:
    def __init__(
        self,
        workspace: Workspace,
        *,
        model: ChatModel | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.workspace = workspace
        self._model = model
        self._model_resolved = model is not None
        self._embedder = embedder
        self._warehouse: Warehouse | None = None
        self._answerer: Callable[[str], SqlAnswer] | None = None
        self._experiments: ExperimentListResult | None = None
        # One lock for the warehouse: a DuckDB connection is not safe across threads, and
        # parallel tool calls may run at once.
        self.warehouse_lock = threading.RLock()

    @property
    def catalog(self) -> Catalog:
        return self.workspace.catalog

    @property
    def warehouse(self) -> Warehouse:
        with self.warehouse_lock:
            if self._warehouse is None:
                from tools.warehouse.connection import open_warehouse

                self._warehouse = open_warehouse(
                    self.workspace.settings.warehouse, self.workspace.root
                )
            return self._warehouse

    @property
    def warehouse_opened(self) -> bool:
        return self._warehouse is not None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from indexes.embedders import resolve_embedder

            self._embedder = resolve_embedder(self.workspace.embedder_spec())
        return self._embedder

    @property
    def model(self) -> ChatModel | None:
        """The configured model (None when none is configured); logged to llm_log.sqlite3."""
        if not self._model_resolved:
            from agent.llm.factory import model_from_settings

            self._model = model_from_settings(
                self.workspace.settings.llm, state_dir=self.workspace.state_dir
            )
            self._model_resolved = True
        return self._model

    @property
    def sql_answerer(self) -> Callable[[str], SqlAnswer]:
        if self._answerer is None:
            from agent.assistant.planner_adapter import offline_answerer

            with self.warehouse_lock:
                self._answerer = offline_answerer(self.workspace, self.warehouse)
        return self._answerer

    def experiments(self) -> ExperimentListResult:
        """The experiments table, read once per session (names for the router)."""
        if self._experiments is None:
            from agent.assistant.tools.experiments import list_experiments

            with self.warehouse_lock:
                self._experiments = list_experiments(self.catalog, self.warehouse)
        return self._experiments

    @property
    def default_limit(self) -> int:
        return self.workspace.settings.warehouse.default_limit

    def close(self) -> None:
        with self.warehouse_lock:
            if self._warehouse is not None:
                self._warehouse.close()
                self._warehouse = None
                self._answerer = None
