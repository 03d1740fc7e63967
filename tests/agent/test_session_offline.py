"""Session offline: events in order, extractive doc answers with exact lines, lazy resources."""

from __future__ import annotations

from pathlib import Path

from agent.assistant.events import AnswerReady, Failed, StepFinished, StepStarted, TextDelta
from agent.assistant.session import Session
from tests.docs.word_vector_embedder import WordVectorEmbedder


def run(session: Session, question: str) -> list[object]:
    return list(session.answer(question))


def test_a_doc_question_cites_the_exact_lines_it_quotes(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    with Session(indexed_workspace, use_llm=False, embedder=embedder) as session:
        events = run(session, "what is our policy on sample ratio mismatch?")
    assert isinstance(events[0], StepStarted) and events[0].tool == "search_docs"
    assert isinstance(events[1], StepFinished) and events[1].ok
    assert any(isinstance(e, TextDelta) for e in events)
    final = events[-1]
    assert isinstance(final, AnswerReady) and final.mode == "offline" and final.grounded
    assert final.sources
    for source in final.sources:
        lines = (indexed_workspace / source.path).read_text(encoding="utf-8").splitlines()
        quoted = " ".join(lines[source.start_line - 1 : source.end_line])
        assert source.cite() in final.text
        assert quoted.strip()


def test_a_data_question_plans_validates_and_runs(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    with Session(indexed_workspace, use_llm=False, embedder=embedder) as session:
        events = run(session, "total saves by surface")
    tools = [e.tool for e in events if isinstance(e, StepFinished)]
    assert tools == ["question_to_sql", "run_sql"]
    final = events[-1]
    assert isinstance(final, AnswerReady)
    assert final.sql and final.sql[0].upper().startswith("SELECT")
    assert "| surface | total_saves |" in final.text


def test_an_experiment_answer_has_verdict_and_reasons(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    with Session(indexed_workspace, use_llm=False, embedder=embedder) as session:
        final = run(session, "how did hf_l1_ranker_v2 do?")[-1]
    assert isinstance(final, AnswerReady)
    assert "verdict **" in final.text and "\n- " in final.text


def test_a_refusal_opens_nothing(indexed_workspace: Path) -> None:
    session = Session(indexed_workspace, use_llm=False)
    final = run(session, "email the team the results")[-1]
    assert isinstance(final, Failed) and "lablens" in (final.hint or "")
    assert not session.resources.warehouse_opened
    assert not session.resources.embedder_loaded


def test_a_data_question_loads_no_embedder(indexed_workspace: Path) -> None:
    with Session(indexed_workspace, use_llm=False) as session:
        run(session, "total saves on search")
        assert not session.resources.embedder_loaded


def test_empty_question_fails_cleanly(indexed_workspace: Path) -> None:
    final = run(Session(indexed_workspace, use_llm=False), "   ")[-1]
    assert isinstance(final, Failed) and final.title == "Empty question"


def test_a_huge_question_is_truncated_with_a_note_and_never_echoed(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    question = "total saves by surface " + "zq" * 10_000
    with Session(indexed_workspace, use_llm=False, embedder=embedder) as session:
        events = run(session, question)
    final = events[-1]
    text = final.text if isinstance(final, AnswerReady) else f"{final.message} {final.hint}"
    assert "zq" * 50 not in text
    if isinstance(final, AnswerReady):
        assert any("20,023 characters" in n for n in final.notes)


def test_unknown_table_says_did_you_mean(indexed_workspace: Path) -> None:
    with Session(indexed_workspace, use_llm=False) as session:
        final = run(session, "describe the table engagement_dialy")[-1]
    assert isinstance(final, Failed)
    assert "engagement_daily" in final.message and "Did you mean" in final.message


def test_experiment_names_are_kept_so_a_doc_question_opens_no_warehouse(
    workspace: Path, embedder: WordVectorEmbedder
) -> None:
    question = "what is our policy on sample ratio mismatch?"
    with Session(workspace, use_llm=False, embedder=embedder) as first:
        run(first, question)
        assert first.resources.warehouse_opened  # the names were read once
    with Session(workspace, use_llm=False, embedder=embedder) as second:
        assert isinstance(run(second, question)[-1], AnswerReady)
        assert not second.resources.warehouse_opened
        assert second.names().find_experiment("how did the L1 ranker v2 test do?")


def test_a_changed_warehouse_refreshes_the_names(workspace: Path) -> None:
    import os

    with Session(workspace, use_llm=False) as first:
        first.names()
    warehouse = workspace / "warehouse.duckdb"
    os.utime(warehouse, ns=(warehouse.stat().st_atime_ns, warehouse.stat().st_mtime_ns + 10**9))
    with Session(workspace, use_llm=False) as second:
        second.names()
        assert second.resources.warehouse_opened


def test_a_doc_answer_says_when_no_doc_uses_a_question_word(
    indexed_workspace: Path, embedder: WordVectorEmbedder
) -> None:
    # The demo docs never mention GDPR: the nearest passages come back, with that caveat.
    with Session(indexed_workspace, use_llm=False, embedder=embedder) as session:
        final = run(session, "what is our policy on sample ratio mismatch under gdpr?")[-1]
        covered = run(session, "what is our policy on sample ratio mismatch?")[-1]
    assert isinstance(final, AnswerReady) and final.sources
    assert "No indexed doc uses the word “gdpr”" in final.text
    assert isinstance(covered, AnswerReady) and "No indexed doc uses" not in covered.text
