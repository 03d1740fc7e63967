"""The one place the agent calls the question -> SQL planner (a rename there is fixed here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.llm.model import ChatModel
    from agent.workspace import Workspace
    from indexes.embedders import Embedder
    from tools.planner.answer import SqlAnswer
    from tools.warehouse.connection import Warehouse


def offline_answerer(ws: Workspace, warehouse: Warehouse) -> Callable[[str], SqlAnswer]:
    """Question -> validated SQL by the offline planner, not executed (run_sql runs it).

    A question the planner cannot map raises `tools.errors.PlanningError` with a hint.
    """
    from agent.nl2sql.answer import answer_question_text

    return answer_question_text(
        ws,
        warehouse,
        use_llm=False,
        execute=False,
        default_limit=ws.settings.warehouse.default_limit,
    )


def model_answerer(
    ws: Workspace, warehouse: Warehouse, model: ChatModel, embedder: Embedder
) -> Callable[[str], SqlAnswer]:
    """Question -> validated SQL written by `model` (schema retrieval, validation, bounded
    repairs), not executed; the planner answers when the model fails, and `notes` says so."""
    from agent.nl2sql.answer import answer_question_text

    return answer_question_text(
        ws,
        warehouse,
        use_llm=True,
        execute=False,
        model=model,
        default_limit=ws.settings.warehouse.default_limit,
        embedder=embedder,
    )
