"""History: exchanges kept in SQLite with secrets redacted, found again with FTS5."""

from __future__ import annotations

from pathlib import Path

from agent.assistant.history import History

KEY = "sk-history-secret-abcdef123456"


def test_secrets_are_redacted_before_they_are_written(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3", secrets=[KEY])
    history.add(
        f"use key {KEY}",
        "api_key=hunter2hunter2 and postgresql://me:pw12345@db/x",
        mode="llm",
        grounded=True,
        steps=[{"tool": "run_sql", "input": {"sql": f"SELECT '{KEY}'"}, "ok": True}],
    )
    raw = (tmp_path / "history.sqlite3").read_bytes()
    assert KEY.encode() not in raw and b"hunter2hunter2" not in raw and b"pw12345" not in raw
    assert "[REDACTED]" in history.last().question  # type: ignore[union-attr]


def test_full_text_search_finds_words_and_keeps_operators_plain(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    history.add("total saves by country", "US leads", mode="offline", grounded=True)
    history.add("SRM policy", "p < 0.001 means invalid", mode="offline", grounded=True)
    assert [e.question for e in history.search("country")] == ["total saves by country"]
    assert [e.question for e in history.search("invalid")] == ["SRM policy"]
    assert history.search('NEAR( "x" OR') == []  # FTS5 syntax in a query is just words
    assert [e.question for e in history.search(None)] == ["SRM policy", "total saves by country"]


def test_the_last_exchange_carries_what_a_follow_up_needs(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    history.add(
        "and by country?",
        "…",
        mode="offline",
        grounded=True,
        context={"kind": "data", "question": "total saves on search by country"},
    )
    turn = history.last().turn()  # type: ignore[union-attr]
    assert turn.previous().kind == "data"
    assert turn.previous().question == "total saves on search by country"
