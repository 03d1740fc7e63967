"""Text from documents and file names made safe to print: control characters (a raw NUL,
an escape sequence that recolours or clears the terminal, a lone carriage return that
overwrites the line) are replaced, and file names that are not valid UTF-8 are shown escaped.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides that
# can make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with control characters shown as U+FFFD (and lone surrogates escaped)."""
    out = _CONTROL.sub("\ufffd", text)
    if not keep_newlines:
        out = out.replace("\n", " ")
    return safe_str(out)


def safe_str(text: str) -> str:
    """`text` encodable as UTF-8: surrogates from undecodable file names become \\xNN."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate no file name decoding produced
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
        return raw.decode("utf-8", "backslashreplace")
