"""LLM mode with a scripted model: tool calls, parallel calls, bounds, grounding and repair."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.assistant.events import AnswerReady, Event, Failed, StepFinished, StepStarted
from agent.assistant.session import Session
from agent.llm.model import ModelReply, ToolCall
from agent.llm.scripted import ScriptedModel
from tests.docs.word_vector_embedder import WordVectorEmbedder
from tools.errors import LLMError

EXP = "hf_l1_ranker_v2"


def call(name: str, call_id: str = "c1", **args: object) -> ModelReply:
    return ModelReply("", (ToolCall(call_id, name, dict(args)),))


def ask(ws: Path, model: ScriptedModel, emb: WordVectorEmbedder, q: str) -> list[Event]:
    with Session(ws, use_llm=True, model=model, embedder=emb) as session:
        return list(session.answer(q))


@pytest.fixture(scope="module")
def verdict_line(indexed_workspace: Path) -> tuple[str, str]:
    """The verdict and the primary effect as the experiment tool reports them."""
    with Session(indexed_workspace, use_llm=False) as session:
        events = list(session.answer(f"how did {EXP} do?"))
    step = next(e for e in events if isinstance(e, StepFinished))
    data = step.result.to_dict() if step.result else {}
    primary = next(m for m in data["metrics"] if m["role"] == "primary")  # type: ignore[index,union-attr]
    return str(data["verdict"]), f"{primary['rel_effect'] * 100:+.1f}%"


def test_the_model_calls_a_tool_and_its_grounded_answer_is_ready(
    indexed_workspace: Path, embedder: WordVectorEmbedder, verdict_line: tuple[str, str]
) -> None:
    verdict, effect = verdict_line
    model = ScriptedModel(
        [call("summarize_experiment", experiment_id=EXP), f"Verdict {verdict}: saves {effect}."]
    )
    events = ask(indexed_workspace, model, embedder, f"how did {EXP} do?")
    assert [type(e) for e in events[:2]] == [StepStarted, StepFinished]
    final = events[-1]
    assert isinstance(final, AnswerReady) and final.mode == "llm" and final.grounded
    assert "verdict: " in model.calls[1].messages[-1].content  # the tool text reached the model
    assert model.calls[0].tools and model.calls[0].kind == "stream"


def test_parallel_tool_calls_all_run_and_all_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    both = ModelReply(
        "",
        (
            ToolCall("a", "list_experiments", {}),
            ToolCall("b", "search_docs", {"query": "sample ratio mismatch"}),
        ),
    )
    model = ScriptedModel([both, "Here is what I found."])
    events = ask(indexed_workspace, model, embedder, "experiments and SRM policy?")
    finished = [e.tool for e in events if isinstance(e, StepFinished)]
    assert sorted(finished) == ["list_experiments", "search_docs"]
    answered = [m.tool_call_id for m in model.calls[1].messages if m.role == "tool"]
    assert answered == ["a", "b"]


def test_an_invented_number_is_repaired_once(
    indexed_workspace: Path, embedder: WordVectorEmbedder, verdict_line: tuple[str, str]
) -> None:
    verdict, effect = verdict_line
    model = ScriptedModel(
        [
            call("summarize_experiment", experiment_id=EXP),
            "Saves rose 97.3%.",
            f"Verdict {verdict}; saves {effect}.",
        ]
    )
    final = ask(indexed_workspace, model, embedder, f"how did {EXP} do?")[-1]
    assert isinstance(final, AnswerReady) and final.grounded
    assert "97.3%" in model.calls[2].messages[-1].content  # the repair turn names the number


def test_an_answer_that_stays_ungrounded_is_marked(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel(
        [
            call("summarize_experiment", experiment_id=EXP),
            "Saves rose 97.3%, see docs/homefeed-l1-ranking.md:1-5.",
            "Saves rose 97.3%, see docs/homefeed-l1-ranking.md:1-5.",
        ]
    )
    final = ask(indexed_workspace, model, embedder, f"how did {EXP} do?")[-1]
    assert isinstance(final, AnswerReady) and not final.grounded
    assert "97.3% [unverified]" in final.text
    assert "docs/homefeed-l1-ranking.md:1-5 [unverified]" in final.text


def test_a_tool_error_goes_back_to_the_model_which_corrects_itself(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel(
        [
            call("run_sql", sql="SELECT nosuchcolumn FROM users"),
            call("run_sql", "c2", sql="SELECT COUNT(*) AS n FROM users"),
            "Done.",
        ]
    )
    events = ask(indexed_workspace, model, embedder, "how many users?")
    oks = [e.ok for e in events if isinstance(e, StepFinished)]
    assert oks == [True, True]  # a rejected query is a result the model can read, not a crash
    assert "rejected by the validator" in model.calls[1].messages[-1].content
    final = events[-1]
    assert isinstance(final, AnswerReady) and final.sql and "COUNT" in final.sql[0]


def test_an_unknown_tool_is_told_which_tools_exist(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel([call("shell", cmd="rm -rf /"), "I cannot do that."])
    final = ask(indexed_workspace, model, embedder, "clean up")[-1]
    assert isinstance(final, AnswerReady)
    error = model.calls[1].messages[-1].content
    assert "no tool named 'shell'" in error and "search_docs" in error


def test_a_model_calling_the_same_tool_forever_is_stopped(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel([call("list_experiments", f"c{i}") for i in range(30)])
    final = ask(indexed_workspace, model, embedder, "what experiments do we have?")[-1]
    assert model.remaining > 20  # stopped within a few steps
    assert isinstance(final, AnswerReady) and final.mode == "offline"
    assert any("could not answer" in n for n in final.notes)


def test_empty_replies_end_in_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel([""] * 10)
    final = ask(indexed_workspace, model, embedder, "total saves by surface")[-1]
    assert isinstance(final, AnswerReady) and final.mode == "offline"
    assert any("empty replies" in n for n in final.notes)


def test_a_failing_model_falls_back_to_the_offline_answer(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel([LLMError("The model at X failed 4 times.")])
    final = ask(indexed_workspace, model, embedder, "total saves by surface")[-1]
    assert isinstance(final, AnswerReady | Failed)
    assert isinstance(final, AnswerReady) and final.mode == "offline"
    assert any("failed 4 times" in n for n in final.notes)


def test_cancel_stops_before_the_next_step(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    model = ScriptedModel(
        [call("list_experiments"), call("describe_catalog", "c2"), "never reached"]
    )
    seen: list[Event] = []
    with Session(indexed_workspace, use_llm=True, model=model, embedder=embedder) as session:
        for event in session.answer("what experiments and tables do we have?"):
            seen.append(event)
            if isinstance(event, StepFinished):
                session.cancel()  # as a UI's cancel key would, between two steps
    assert [e.tool for e in seen if isinstance(e, StepFinished)] == ["list_experiments"]
    final = seen[-1]
    assert isinstance(final, Failed) and final.title == "Cancelled"
    assert model.remaining == 2


def test_with_a_model_question_to_sql_lets_the_model_write_validated_sql(
    indexed_workspace: Path, embedder: WordVectorEmbedder, tmp_path: Path
) -> None:
    import shutil

    ws = tmp_path / "ws"  # the SQL writer keeps its schema index in .lablens/
    shutil.copytree(indexed_workspace, ws)
    sql = "SELECT country, COUNT(*) AS n FROM users GROUP BY country"
    model = ScriptedModel(
        [
            call("question_to_sql", question="how many users per country?"),
            f"```sql\n{sql}\n```",  # the SQL writer's own turn
            call("run_sql", "c2", sql=sql),
            "Users per country are in the table.",
        ]
    )
    events = ask(ws, model, embedder, "how many users per country?")
    planned = next(e for e in events if isinstance(e, StepFinished))
    assert planned.ok and planned.result is not None
    data = planned.result.to_dict()
    assert data["source"] == "llm" and data["valid"] is True and data["executed"] is False
    final = events[-1]
    assert isinstance(final, AnswerReady) and final.mode == "llm" and final.sql


def test_the_model_compares_experiments_on_a_metric_and_stays_grounded(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    with Session(indexed_workspace, use_llm=False) as session:
        events = list(session.answer("which experiments improved saves?"))
    step = next(e for e in events if isinstance(e, StepFinished))
    assert step.tool == "compare_experiments" and step.result is not None
    row = step.result.to_dict()["rows"][0]  # type: ignore[index]
    model = ScriptedModel(
        [call("compare_experiments", metric="saves"), f"{row[0]}: {row[2]} {row[5]}."]
    )
    final = ask(indexed_workspace, model, embedder, "which experiments improved saves?")[-1]
    assert isinstance(final, AnswerReady) and final.mode == "llm" and final.grounded, final
    assert "not directly comparable" in model.calls[1].messages[-1].content
