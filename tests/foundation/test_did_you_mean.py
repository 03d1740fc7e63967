"""The one "did you mean" helper: its sentence, and no hand-rolled copy of it elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from tools.did_you_mean import closest, did_you_mean, did_you_mean_text

ROOT = Path(__file__).resolve().parents[2]


def test_the_sentence_lists_names_quoted_with_or() -> None:
    assert did_you_mean_text([]) is None
    assert did_you_mean_text(["a"]) == "Did you mean `a`?"
    assert did_you_mean_text(["a", "b", "c"]) == "Did you mean `a`, `b` or `c`?"


def test_notes_say_what_a_name_is_in_parentheses() -> None:
    text = did_you_mean_text(["country", "plan"], notes={"country": "for `contry`"})
    assert text == "Did you mean `country` (for `contry`) or `plan`?"


def test_closest_folds_case_and_keeps_the_catalog_spelling() -> None:
    assert closest("USERS", ["Users", "pins"]) == ["Users"]
    assert did_you_mean("zzz", ["users"]) is None


def test_no_code_builds_its_own_suggestion_sentence() -> None:
    """A second format would creep back in through a copy: every hint goes through the helper."""
    # The sentence followed by a name being filled in (`{`, a backtick, `" +`); prose that
    # only mentions "did you mean" is fine.
    hand_rolled = re.compile(r"""[Dd]id you mean[ :]*(?:[`{]|["'] *\+)|get_close_matches""")
    for old in ('"Did you mean " + x', 'f"Did you mean: {guess}? "', 'f"did you mean `{n}`?"'):
        assert hand_rolled.search(old), old
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("agent", "tools", "indexes")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "tools" / "did_you_mean.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hand_rolled.search(line)
    ]
    assert found == []
