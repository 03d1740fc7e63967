"""The LLM path: retrieve schema -> prompt -> generate -> validate -> repair (bounded).

SQL from the model is data: it runs only after the validator passed it, and only the
validator's normalized text runs. Validator problems go back to the model as text it can act
on; after `max_repairs` failed repairs the offline planner gets a chance, else the answer is
returned invalid and unexecuted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.errors import PlanningError
from tools.planner.sql_answer import SqlAnswer
from tools.sql.problems import Problem

if TYPE_CHECKING:
    from pathlib import Path

    from agent.llm.model import ChatModel, Message
    from agent.nl2sql.schema_index import SchemaRetriever
    from agent.workspace import Workspace
    from indexes.embedders import Embedder
    from tools.catalog.model import Catalog
    from tools.planner.plan import PlannerContext
    from tools.warehouse.connection import Warehouse

_FENCE = re.compile(r"```.*?```", re.DOTALL)
_NO_SQL = Problem(
    "no-sql",
    "The answer held no ```sql block with a query.",
    "Answer with exactly one read-only SELECT in a ```sql block.",
)


@dataclass
class SqlGenerator:
    catalog: Catalog
    warehouse: Warehouse
    model: ChatModel
    retriever: SchemaRetriever
    context: PlannerContext
    max_repairs: int = 3
    state_dir: Path | None = None  # the workspace state, for confirmed examples
    embedder: Embedder | None = None
    chroma_url: str | None = None

    @classmethod
    def for_workspace(
        cls,
        ws: Workspace,
        warehouse: Warehouse,
        *,
        context: PlannerContext,
        model: ChatModel | None = None,
        embedder: Embedder | None = None,
    ) -> SqlGenerator:
        from agent.llm.factory import model_from_settings
        from agent.nl2sql.schema_index import SchemaRetriever
        from indexes.embedders import make_embedder
        from tools.errors import LLMError

        chosen = model or model_from_settings(ws.settings.llm, state_dir=ws.state_dir)
        if chosen is None:
            raise LLMError(
                "No language model is configured.",
                hint="Set OPENAI_BASE_URL (or [llm] base_url) or use --no-llm.",
            )
        embedder = embedder or make_embedder(ws.embedder_spec())
        chroma_url = ws.settings.docs.chroma_url
        retriever = SchemaRetriever.open(
            ws.catalog,
            ws.state_dir,
            embedder=embedder,
            chroma_url=chroma_url,
            known_values=context.known_values,
        )
        return cls(
            ws.catalog,
            warehouse,
            chosen,
            retriever,
            context,
            max_repairs=ws.settings.llm.max_repairs,
            state_dir=ws.state_dir,
            embedder=embedder,
            chroma_url=chroma_url,
        )

    def prompt(self, question: str) -> list[Message]:
        from agent.nl2sql.examples import retrieve_examples
        from agent.nl2sql.prompt import generation_messages

        subset = self.retriever.retrieve(question)
        examples = (
            retrieve_examples(
                self.state_dir, question, embedder=self.embedder, chroma_url=self.chroma_url
            )
            if self.state_dir is not None
            else []
        )
        return generation_messages(
            question,
            subset,
            self.catalog,
            dialect=self.warehouse.dialect,
            today=self.context.today.isoformat(),
            sampled=self.context.known_values,
            examples=examples,
        )

    def answer(
        self, question: str, *, execute: bool = True, default_limit: int | None = 1000
    ) -> SqlAnswer:
        """Raises LLMError when the model fails (the caller falls back to the planner)."""
        from agent.llm.model import assistant
        from agent.llm.prompt_messages import prompt_messages
        from agent.llm.sql_reply import extract_sql, format_problems
        from tools.planner.offline_answer import to_answer, validate_and_run

        if not question.strip():
            raise PlanningError("The question is empty.", hint="Ask a question about the data.")
        messages = self.prompt(question)
        attempts = 0
        last_problems: list[Problem] = []
        last_sql, last_text = "", ""
        for _ in range(1 + self.max_repairs):
            attempts += 1
            reply = self.model.complete(messages)
            last_text = reply.text
            sql = extract_sql(reply.text)
            if sql is None:
                problems: list[Problem] = [_NO_SQL]
            else:
                last_sql = sql
                report, result = validate_and_run(
                    sql, self.catalog, self.warehouse, execute=execute, default_limit=default_limit
                )
                if report.valid:
                    return to_answer(
                        question,
                        report,
                        result,
                        source="llm",
                        explanation=_explanation(reply.text),
                        attempts=attempts,
                    )
                problems = list(report.errors)
                last_problems = list(report.errors)
            messages = [
                *messages,
                assistant(reply.text),
                *prompt_messages(
                    "sql_repair",
                    previous_sql=sql or "(no SQL)",
                    errors=format_problems(problems),
                    dialect=self.warehouse.dialect,
                ),
            ]
        return self._give_up(
            question,
            last_sql,
            last_text,
            last_problems,
            attempts,
            execute=execute,
            default_limit=default_limit,
        )

    def _give_up(
        self,
        question: str,
        sql: str,
        text: str,
        problems: list[Problem],
        attempts: int,
        *,
        execute: bool,
        default_limit: int | None,
    ) -> SqlAnswer:
        from tools.planner.offline_answer import answer_with_planner

        note = (
            f"The model's SQL failed validation {attempts} time(s); answered by the offline"
            " planner."
        )
        try:
            fallback = answer_with_planner(
                question,
                self.catalog,
                self.warehouse,
                self.context,
                execute=execute,
                default_limit=default_limit,
            )
        except PlanningError:
            if not sql:
                raise PlanningError(
                    "The model wrote no SQL: " + _explanation(text)[:300],
                    hint="Rephrase the question with the catalog's names.",
                ) from None
            return SqlAnswer(
                question=question,
                sql=sql,
                dialect=self.warehouse.dialect,
                valid=False,
                source="llm",
                errors=problems,
                attempts=attempts,
                notes=[f"The model's SQL failed validation {attempts} time(s); nothing was run."],
            )
        fallback.notes.append(note)
        return fallback


def _explanation(text: str) -> str:
    """The model's sentence after its SQL block (the prompt asks for exactly one)."""
    rest = _FENCE.sub(" ", text)
    return " ".join(rest.split())
