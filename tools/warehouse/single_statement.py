"""Proof that a text is one statement, for engines whose driver cannot refuse more.

psycopg2 sends text with the simple query protocol, where PostgreSQL runs every statement in
it — `SELECT 1; COMMIT; …` escapes a read-only transaction. The validator's generator only
writes a small subset of SQL lexing: '…' strings (quotes doubled), "…" names, no comments,
no dollar quotes, no `E'…'` escapes. This scanner accepts exactly that subset, with
`standard_conforming_strings` on (the session sets it), and finds no `;` outside it: text
outside the subset is refused rather than interpreted.
"""

from __future__ import annotations

from tools.errors import QueryError

_HINT = "Only one read-only SELECT that passed the validator runs here."


def prove_single_statement(sql: str) -> str:
    """`sql` without a trailing `;`; raises `QueryError` unless it is provably one statement."""
    text = sql.strip()
    if text.endswith(";"):
        text = text[:-1].rstrip()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            if i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_&"):
                # E'…', U&'…', B'…', X'…', N'…': prefixes whose lexing differs; generated
                # text never needs them (a typed literal is written DATE '…').
                raise _refuse(f"a prefixed quote ({text[max(0, i - 2) : i + 1]}…)")
            end = text.find(ch, i + 1)
            while end != -1 and end + 1 < n and text[end + 1] == ch:
                end = text.find(ch, end + 2)
            if end == -1:
                raise _refuse("an unterminated quote")
            i = end + 1
            continue
        if ch == ";":
            raise _refuse("more than one statement")
        if ch == "$":
            raise _refuse("a dollar sign outside a string (dollar quoting or a parameter)")
        if text.startswith("--", i) or text.startswith("/*", i):
            raise _refuse("a comment")
        if ch == "\\":
            raise _refuse("a backslash outside a string")
        i += 1
    return text


def _refuse(what: str) -> QueryError:
    return QueryError(f"Not run: the text contains {what}.", hint=_HINT)
