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
    from tools.planner.sql_answer import SqlAnswer
    from tools.warehouse.connection import Warehouse


NAMES_FILE = "agent-names.json"


class Resources:
    def __init__(
        self,
        workspace: Workspace,
        *,
        model: ChatModel | None = None,
        embedder: Embedder | None = None,
        daily_series: bool = False,
    ) -> None:
        self.workspace = workspace
        self._model = model
        self._model_resolved = model is not None
        self._model_given = model is not None
        self._embedder = embedder
        self._warehouse: Warehouse | None = None
        self._answerer: Callable[[str], SqlAnswer] | None = None
        self._model_answerer: Callable[[str], SqlAnswer] | None = None
        # Set while a model answers: question_to_sql then lets the model write the SQL too.
        self.sql_by_model = False
        self.daily_series = daily_series  # experiment summaries with daily series (see Session)
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
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    @property
    def model_given(self) -> bool:
        """True when the caller passed a model (tests, scripts), whatever the settings say."""
        return self._model_given

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

    @property
    def question_answerer(self) -> Callable[[str], SqlAnswer]:
        """The model's SQL writer while a model answers (`sql_by_model`), else the planner."""
        model = self.model if self.sql_by_model else None
        if model is None:
            return self.sql_answerer
        if self._model_answerer is None:
            from agent.assistant.planner_adapter import model_answerer

            with self.warehouse_lock:
                self._model_answerer = model_answerer(
                    self.workspace, self.warehouse, model, self.embedder
                )
        return self._model_answerer

    def experiments(self) -> ExperimentListResult:
        """The experiments table, read once per session (names for the router)."""
        if self._experiments is None:
            from agent.assistant.tools.experiments import list_experiments

            with self.warehouse_lock:
                self._experiments = list_experiments(self.catalog, self.warehouse)
        return self._experiments

    def experiment_names(self) -> list[tuple[str, str | None]]:
        """(id, name) of every experiment, for the router.

        Kept in `.lablens/agent-names.json` while the warehouse file and the catalog are
        unchanged: routing a doc question then opens no warehouse (≈ 2 s of a cold `ask` on a
        loaded machine). A warehouse behind a URL is asked every time.
        """
        import json

        key = self._names_key()
        path = self.workspace.state_dir / NAMES_FILE
        if key is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("key") == key:
                    return [(str(i), None if n is None else str(n)) for i, n in data["names"]]
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a damaged cache is rebuilt below
        listed = self.experiments().experiments
        names = [(str(e["experiment_id"]), _opt(e.get("name"))) for e in listed]
        if key is not None:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"key": key, "names": names}), encoding="utf-8")
            tmp.replace(path)
        return names

    def _names_key(self) -> str | None:
        file = self.workspace.warehouse_path
        if file is None or not file.is_file():
            return None
        parts = []
        for p in (file, self.workspace.catalog_path):
            st = p.stat()
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)

    @property
    def default_limit(self) -> int:
        return self.workspace.settings.warehouse.default_limit

    def cancel_query(self) -> None:
        """Cancel the statement running on the warehouse, if one is and the adapter can.

        Called from another thread, so it does not take the warehouse lock the query holds.
        """
        cancel = getattr(self._warehouse, "cancel", None)  # `Warehouse.cancel()` is being added
        if callable(cancel):
            cancel()

    def close(self) -> None:
        with self.warehouse_lock:
            if self._warehouse is not None:
                self._warehouse.close()
                self._warehouse = None
                self._answerer = None
                self._model_answerer = None


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
