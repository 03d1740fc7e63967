"""One question -> one SqlAnswer: the LLM path when a model is on, else (or on LLMError) the
offline planner. Either way the SQL that runs has passed the validator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tools.planner.sql_answer import SqlAnswer

if TYPE_CHECKING:
    from agent.llm.model import ChatModel
    from agent.workspace import Workspace
    from indexes.embedders import Embedder
    from tools.warehouse.connection import Warehouse


def answer_question_text(
    ws: Workspace,
    warehouse: Warehouse,
    *,
    use_llm: bool | None = None,
    execute: bool = True,
    model: ChatModel | None = None,
    default_limit: int | None = 1000,
    embedder: Embedder | None = None,
) -> Callable[[str], SqlAnswer]:
    """A reusable answerer bound to one workspace and warehouse (context read once)."""
    from tools.planner.offline_answer import answer_with_planner
    from tools.planner.warehouse_context import planner_context

    catalog = ws.catalog
    context = planner_context(catalog, warehouse)
    llm_on = ws.settings.llm.configured if use_llm is None else use_llm
    generator = None
    setup_note: str | None = None
    if llm_on:
        from agent.nl2sql.generate import SqlGenerator
        from tools.errors import LLMError

        try:
            generator = SqlGenerator.for_workspace(
                ws, warehouse, context=context, model=model, embedder=embedder
            )
        except LLMError as exc:  # e.g. --llm without a configured model
            setup_note = f"{exc.message} Answered by the offline planner."

    def answer(question: str) -> SqlAnswer:
        if generator is not None:
            from tools.errors import LLMError

            try:
                return generator.answer(question, execute=execute, default_limit=default_limit)
            except LLMError as exc:
                fallback = answer_with_planner(
                    question,
                    catalog,
                    warehouse,
                    context,
                    execute=execute,
                    default_limit=default_limit,
                )
                fallback.notes.append(
                    f"The language model failed ({exc.message}); answered by the offline planner."
                )
                return fallback
        answer = answer_with_planner(
            question, catalog, warehouse, context, execute=execute, default_limit=default_limit
        )
        if setup_note:
            answer.notes.append(setup_note)
        return answer

    return answer
