"""Bad input gets a short, clear refusal with the closest catalog terms: exit 2, nothing run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from tests.planner.warehouses import init_workspace


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_workspace("shop", tmp_path_factory.mktemp("shop_bad_input"))


def _refuse(shop: Path, question: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    code = main(["sql", question, "--json", "--workspace", str(shop)])
    out = capsys.readouterr()
    text = out.out or out.err
    assert code == 2, text
    assert len(text) < 1500, len(text)  # short: never the question echoed back at length
    payload: dict = json.loads(text)  # type: ignore[type-arg]
    assert "rows" not in payload and "sql" not in payload  # nothing planned, nothing run
    return payload


@pytest.mark.parametrize(
    "question",
    [
        "asdkjh qwe zzz",
        "¿cuántos pedidos hubo el mes pasado?",
        "how many invoices were paid",
        "delete all orders",
        "12345",
        "orders " * 3000,
    ],
    ids=["gibberish", "another-language", "no-such-table", "change-data", "only-an-id", "20k"],
)
def test_bad_input_is_refused_briefly(
    shop: Path, question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = _refuse(shop, question, capsys)
    assert payload["error"] == "Cannot map the question"
    assert payload["hint"]


def test_refusal_names_the_closest_terms_with_their_descriptions(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two slips from any name: too far to read as one (one slip is read, with a note).
    payload = _refuse(shop, "how many cstmers signed up in March", capsys)
    assert "`customers`" in payload["hint"]
    assert "Questions that work here:" in payload["hint"]


def test_a_one_letter_slip_is_read_as_the_name_and_said(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sql", "how many custmers signed up in March", "--json", "--workspace", str(shop)])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and "FROM customers" in payload["sql"]
    assert "Read 'custmers' as 'customers' (the closest known word)." in payload["notes"]


def test_a_20000_character_question_gets_a_short_error(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = _refuse(shop, "x" * 20_000, capsys)
    assert "20,000 characters" in payload["message"]
