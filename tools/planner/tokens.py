"""Question text -> tokens: original spelling, lower case, and a light stem for matching.

The stem is deliberately crude (plural, -ed, -ing, final e) but applied the same way to the
question and to the catalog's names and synonyms, so "saved", "saves" and "save" meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words, numbers with a decimal point, ranges like 18-24, 55+, identifiers like hf_l1_v2.
_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:[.\-'][A-Za-z0-9_]+)*\+?|[<>]=?|=|!=")


@dataclass(frozen=True)
class Token:
    text: str  # as written
    lower: str
    stem: str
    start: int  # character offsets in the question, for messages
    end: int
    # A word read as another ('engaged' as 'engagement') names that word alone: it never
    # joins its neighbours into a longer catalog name ('pins engaged' is not 'pin engagement').
    alone: bool = False

    @property
    def is_number(self) -> bool:
        return _NUMBER.fullmatch(self.lower) is not None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


# Irregular verbs whose forms the suffix rules cannot join ("spend" / "spent").
_IRREGULAR = {
    **dict.fromkeys(("spend", "spends", "spending"), "spent"),
    **dict.fromkeys(("buy", "buys", "buying"), "bought"),
    **dict.fromkeys(("pay", "pays", "paying"), "paid"),
    **dict.fromkeys(("send", "sends", "sending"), "sent"),
    **dict.fromkeys(("sell", "sells", "selling"), "sold"),
    **dict.fromkeys(("win", "wins", "winning"), "won"),
}


def stem(word: str) -> str:
    """A light, consistent stem: 'saves'/'saved'/'save' -> 'sav', 'categories' -> 'category'."""
    w = word.lower().replace("'s", "")
    w = _IRREGULAR.get(w, w)
    if not w.isalpha() or len(w) <= 2:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ed") and len(w) > 3:
        w = w[:-2]
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    if w.endswith("e") and len(w) > 2:
        w = w[:-1]
    return w


def compact(stems: list[str] | tuple[str, ...]) -> str:
    """Join stems without separators so 'close-ups', 'closeups' and 'close ups' are one key."""
    return "".join(s.replace("-", "").replace("_", "") for s in stems)


# Spelled-out counts read as digits ("top ten", "which two countries"); "one" stays a word
# ("which one", "one-day") and dates read their own number words.
NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
    if n > 1
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "ninety": "90", "hundred": "100"}


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if raw.lower() in NUMBER_WORDS:
            n = NUMBER_WORDS[raw.lower()]
            out.append(Token(raw, n, n, m.start(), m.end()))
            continue
        # Identifiers stem by part, as catalog names do: "clicks_7d" meets a column clicks_7d.
        s = "_".join(stem(p) for p in raw.split("_")) if "_" in raw else stem(raw)
        out.append(Token(raw, raw.lower(), s, m.start(), m.end()))
    return out


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """Stems of a catalog phrase; underscores split words ('home_decor' -> 'home', 'decor')."""
    return tuple(stem(t.lower) for t in tokenize(phrase.replace("_", " ")) if t.lower)
