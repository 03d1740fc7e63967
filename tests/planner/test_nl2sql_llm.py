"""The LLM path: retrieval into the prompt, generate -> validate -> repair, fallbacks.

A scripted model stands in for the remote model; Chroma and the bundled embedder are real.
Marked slow: loading the bundled embedder and embedding the catalog take ~20-40 s on 2 cores.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.llm.scripted import ScriptedModel
from agent.nl2sql.generate import SqlGenerator
from agent.nl2sql.schema_index import SchemaRetriever
from agent.workspace import Workspace
from tools.errors import LLMError
from tools.planner.warehouse_context import planner_context

pytestmark = pytest.mark.slow

GOOD = (
    "```sql\nSELECT category, COUNT(*) AS pins FROM pins WHERE category = 'travel' "
    "GROUP BY category\n```\nCounts travel pins."
)
QUESTION = "how many pins are in the travel category"


@pytest.fixture(scope="module")
def embedder() -> Any:
    from indexes.embedders import make_embedder

    return make_embedder()


@pytest.fixture
def ws(small_demo_workspace: Path) -> Workspace:
    return Workspace.open(small_demo_workspace)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One catalog index for the module: the summaries are embedded once."""
    return tmp_path_factory.mktemp("catalog_index")


@pytest.fixture
def make_generator(
    ws: Workspace, warehouse: Any, embedder: Any, index_dir: Path, tmp_path: Path
) -> Iterator[Any]:
    context = planner_context(ws.catalog, warehouse)
    retriever = SchemaRetriever.open(
        ws.catalog, index_dir, embedder=embedder, known_values=context.known_values
    )

    def make(model: ScriptedModel, *, max_repairs: int = 3, state: Path | None = None) -> Any:
        return SqlGenerator(
            ws.catalog,
            warehouse,
            model,
            retriever,
            context,
            max_repairs=max_repairs,
            state_dir=state or tmp_path / "state",
            embedder=embedder,
        )

    yield make


def test_prompt_holds_the_retrieved_tables_and_not_unrelated_ones(make_generator: Any) -> None:
    model = ScriptedModel([GOOD])
    answer = make_generator(model).answer(QUESTION)
    prompt = model.calls[0].prompt_text
    assert "TABLE pins" in prompt and "travel" in prompt
    for unrelated in (
        "TABLE experiments",
        "TABLE experiment_assignments",
        "TABLE user_features_daily",
    ):
        assert unrelated not in prompt
    assert "duckdb" in prompt and "2026-11-01" in prompt  # dialect and the data's "today"
    assert answer.valid and answer.source == "llm" and answer.rows[0][0] == "travel"


@pytest.mark.parametrize(
    "wrong",
    [
        "```sql\nSELECT COUNT(*) FROM pins WHERE topic = 'travel'\n```",  # unknown column
        "```sql\nSELECT COUNT(*) FROM posts WHERE category = 'travel'\n```",  # wrong table
        "```sql\nDELETE FROM pins WHERE category = 'travel'\n```",  # DML
    ],
)
def test_validator_errors_go_back_to_the_model_until_it_is_right(
    make_generator: Any, wrong: str
) -> None:
    model = ScriptedModel([wrong, GOOD])
    answer = make_generator(model).answer(QUESTION)
    assert len(model.calls) == 2 and answer.attempts == 2
    repair = model.calls[1].messages
    assert repair[-2].role == "assistant" and repair[-2].content == wrong
    assert "The SQL validator rejected your query" in repair[-1].content
    assert "[" in repair[-1].content  # the problem codes travel with the feedback
    assert answer.valid and answer.executed and answer.source == "llm"
    assert answer.rows[0][0] == "travel"


def test_model_sql_never_runs_unvalidated(make_generator: Any, warehouse: Any) -> None:
    calls: list[str] = []
    real = warehouse.execute
    warehouse.execute = lambda sql: (calls.append(sql), real(sql))[1]  # type: ignore[method-assign]
    bad = "```sql\nDROP TABLE pins\n```"
    model = ScriptedModel([bad, bad, bad])
    answer = make_generator(model, max_repairs=2).answer(
        "please write something about pins quality"
    )  # the planner cannot map it either
    assert not answer.valid and not answer.executed and answer.attempts == 3
    assert not any("DROP" in sql.upper() for sql in calls)


def test_exhausted_repairs_fall_back_to_the_planner_with_a_note(make_generator: Any) -> None:
    bad = "```sql\nSELECT nope FROM pins\n```"
    model = ScriptedModel([bad, bad])
    answer = make_generator(model, max_repairs=1).answer("count of pins in home decor")
    assert answer.source == "planner" and answer.valid
    assert any("failed validation 2 time(s)" in n for n in answer.notes)


def test_llm_error_falls_back_to_the_planner(
    small_demo_workspace: Path, tmp_path: Path, embedder: Any
) -> None:
    from agent.nl2sql.answer import answer_question_text
    from tools.warehouse.connection import open_warehouse

    root = tmp_path / "ws"  # a private copy: the model path writes its index to the state
    shutil.copytree(small_demo_workspace, root)
    ws = Workspace.open(root)
    model = ScriptedModel([LLMError("the server said 500")])
    with open_warehouse(ws.settings.warehouse, ws.root) as warehouse:
        answer = answer_question_text(ws, warehouse, use_llm=True, model=model, embedder=embedder)(
            "count of pins in home decor"
        )
    assert answer.source == "planner" and answer.valid
    assert any("language model failed" in n for n in answer.notes)


def test_confirmed_examples_are_retrieved_as_few_shot(
    make_generator: Any, ws: Workspace, warehouse: Any, tmp_path: Path
) -> None:
    from agent.nl2sql.examples import save_example

    state = tmp_path / "state"
    save_example(
        state,
        "weekly saves on search",
        "SELECT DATE_TRUNC('week', dt) AS w, "
        "SUM(saves) FROM engagement_daily WHERE dt >= DATE '2026-10-01' "
        "AND surface = 'search' GROUP BY 1",
        ws.catalog,
        dialect="duckdb",
    )
    model = ScriptedModel([GOOD])
    make_generator(model, state=state).answer("saves per week on search in October")
    prompt = model.calls[0].prompt_text
    assert "Question: weekly saves on search" in prompt and "DATE_TRUNC" in prompt


@pytest.mark.server
def test_cli_llm_path_through_a_loopback_openai_server(
    small_demo_workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`lablens sql --llm` with OPENAI_BASE_URL at a local OpenAI-compatible server: the first
    answer names an unknown column, the repair is valid and runs."""
    import json

    from agent.cli import main
    from agent.llm.loopback_server import ChatResponse, LoopbackServer

    root = tmp_path / "ws"
    shutil.copytree(small_demo_workspace, root)
    key = "sk-loopback-test-key"
    wrong = "```sql\nSELECT COUNT(*) FROM pins WHERE topic = 'travel'\n```"
    with LoopbackServer([ChatResponse(wrong), ChatResponse(GOOD)], require_api_key=key) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", key)
        # Embeddings from the same local server (a remote embedder's stand-in).
        monkeypatch.setenv("LABLENS_EMBEDDINGS_PROVIDER", "openai")
        monkeypatch.setenv("LABLENS_EMBEDDINGS_BASE_URL", server.base_url)
        monkeypatch.setenv("LABLENS_EMBEDDINGS_API_KEY", key)
        code = main(["sql", QUESTION, "--llm", "--json", "--workspace", str(root)])
        chats = server.chat_requests()
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["source"] == "llm" and data["valid"]
    assert data["rows"][0][0] == "travel" and data["attempts"] == 2
    assert len(chats) == 2
    repair_turn = chats[1].body["messages"][-1]["content"]  # type: ignore[index]
    assert "topic" in repair_turn and "rejected" in repair_turn
