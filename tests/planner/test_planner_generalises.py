"""The planner generalises: nothing of an evaluation set is written into tools/planner/, and
it meets its targets on warehouses catalogued by `lablens init` alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from agent.nl2sql.evaluate import load_questions
from tests.planner.warehouses import init_workspace

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
PLANNER = ROOT / "tools" / "planner"
TARGET = 0.85
HELD_OUT_FLOOR = 0.75


def _eval_files() -> list[Path]:
    return sorted(DATA.glob("nl2sql_*.yaml"))


def _eval_names() -> set[str]:
    """Every table and column name the evaluation sets use (from their catalogs)."""
    names: set[str] = set()
    for source in (ROOT / "tests" / "planner" / "warehouses").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):  # the generators' DDL strings
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            for m in re.finditer(r"CREATE TABLE (\w+) \(([^)]*)\)", node.value):
                names.add(m.group(1))
                names |= {part.split()[0] for part in m.group(2).split(",") if part.split()}
    demo = yaml.safe_load((ROOT / "agent" / "demo" / "catalog.yaml").read_text())
    for t in demo["tables"]:
        names.add(t["name"])
        names |= {c["name"] for c in t["columns"]}
    return names


def _planner_strings() -> list[tuple[Path, str]]:
    out = []
    for path in PLANNER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append((path, node.value))
    return out


def test_no_evaluation_question_text_in_the_planner() -> None:
    source = "\n".join(p.read_text().lower() for p in PLANNER.glob("*.py"))
    for path in _eval_files():
        for q in load_questions(path)[1]:
            assert q.question.lower() not in source, (path.name, q.question)


def test_no_evaluation_table_or_column_name_in_the_planner() -> None:
    names = {n.lower() for n in _eval_names()}
    source = "\n".join(p.read_text().lower() for p in PLANNER.glob("*.py"))
    # Identifiers with an underscore are never English: they may not appear anywhere.
    for name in (n for n in names if "_" in n):
        assert not re.search(rf"\b{re.escape(name)}\b", source), name
    # Plain words (status, country, ...) may not be among the words the planner matches
    # questions against (its vocabulary and date words); internal labels do not count.
    for path, text in _planner_strings():
        if path.name not in ("vocabulary.py", "dates.py"):
            continue
        clash = set(text.lower().split()) & names
        assert not clash, (path.name, sorted(clash))


@pytest.mark.parametrize("kind", ["shop", "ads"])
def test_accuracy_on_a_warehouse_catalogued_by_init_alone(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from bench.eval_sql import run_eval

    root = init_workspace(kind, tmp_path_factory.mktemp(kind))
    report = run_eval(root, DATA / f"nl2sql_{kind}.yaml")
    failures = [(o.question.id, o.reason) for o in report.outcomes if not o.correct]
    assert report.accuracy >= TARGET, failures
    # The held-out third is reported, never listed (its failures must not guide tuning).
    held = run_eval(root, DATA / f"nl2sql_{kind}_heldout.yaml")
    assert held.accuracy >= HELD_OUT_FLOOR, f"held-out accuracy {held.accuracy:.1%}"


def test_each_new_warehouse_has_40_questions_with_a_held_out_third() -> None:
    for kind in ("shop", "ads"):
        tune = load_questions(DATA / f"nl2sql_{kind}.yaml")[1]
        held = load_questions(DATA / f"nl2sql_{kind}_heldout.yaml")[1]
        assert len(tune) + len(held) >= 40
        assert abs(len(held) - (len(tune) + len(held)) / 3) <= 1


def test_paraphrases_ask_every_demo_question_three_other_ways() -> None:
    demo = load_questions(DATA / "nl2sql_eval.yaml")[1]
    para = [
        *load_questions(DATA / "nl2sql_paraphrases.yaml")[1],
        *load_questions(DATA / "nl2sql_paraphrases_heldout.yaml")[1],
    ]
    by_origin: dict[str, set[str]] = {}
    for q in para:
        by_origin.setdefault(q.id.rsplit("_p", 1)[0], set()).add(q.question.lower())
    for q in demo:
        asked = by_origin.get(q.id, set())
        assert len(asked) == 3 and q.question.lower() not in asked, q.id


def test_more_paraphrases_ask_every_demo_question_two_further_ways() -> None:
    demo = load_questions(DATA / "nl2sql_eval.yaml")[1]
    more = load_questions(DATA / "nl2sql_paraphrases_more.yaml")[1]
    earlier = {q.question.lower() for q in load_questions(DATA / "nl2sql_paraphrases.yaml")[1]}
    by_origin: dict[str, set[str]] = {}
    for q in more:
        by_origin.setdefault(q.id.rsplit("_m", 1)[0], set()).add(q.question.lower())
    gold = {q.id: q.gold for q in demo}
    assert all(gold[q.id.rsplit("_m", 1)[0]] == q.gold for q in more)
    for q in demo:
        asked = by_origin.get(q.id, set())
        assert len(asked) == 2 and q.question.lower() not in asked, q.id
        assert not asked & earlier, q.id


def test_eval_sql_knows_which_sets_are_held_out() -> None:
    """bench/eval_sql.py drops the failures of these sets before printing anything."""
    from bench import eval_sql

    assert eval_sql.is_held_out("paraphrases_heldout", DATA / "x.yaml")
    assert eval_sql.is_held_out("custom", DATA / "nl2sql_paraphrases_heldout.yaml")
    assert not eval_sql.is_held_out("paraphrases_more", DATA / "nl2sql_paraphrases_more.yaml")


def test_new_tuning_sets_ask_new_things() -> None:
    """The fresh paraphrases keep their origin's gold and differ from earlier wordings; the
    second ads and shop sets are of the size issue 14 asks for."""
    demo = {q.id: q for q in load_questions(DATA / "nl2sql_eval.yaml")[1]}
    new = load_questions(DATA / "nl2sql_paraphrases_new.yaml")[1]
    earlier = {
        q.question.lower()
        for name in ("nl2sql_paraphrases.yaml", "nl2sql_paraphrases_more.yaml")
        for q in load_questions(DATA / name)[1]
    } | {q.question.lower() for q in demo.values()}
    assert len(new) >= 60
    for q in new:
        assert demo[q.id.rsplit("_n", 1)[0]].gold == q.gold, q.id
        assert q.question.lower() not in earlier, q.id
    assert len(load_questions(DATA / "nl2sql_ads_more.yaml")[1]) >= 30
    assert len(load_questions(DATA / "nl2sql_shop_more.yaml")[1]) >= 10
