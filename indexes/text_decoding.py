"""Bytes to text for documentation files: UTF-8 (with or without a BOM), and UTF-16/UTF-32
recognised by their byte-order mark or by the pattern of zero bytes that ASCII text has in
them, so a file saved as "Unicode" by an editor is indexed instead of called binary.
"""

from __future__ import annotations

import codecs

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_SNIFF = 4096


def sniff_encoding(data: bytes) -> tuple[str, str, int] | None:
    """(codec, name for people, bytes to skip) for a BOM or a UTF-16/32 zero-byte pattern;
    None for plain (UTF-8 or binary) data."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    head = data[:_SNIFF]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    if len(head) >= 8 and len(head) % 4 == 0:
        quads = [head[i::4] for i in range(4)]
        if _mostly_zero(quads[1]) and _mostly_zero(quads[2]) and _mostly_zero(quads[3]):
            return "utf-32-le", "UTF-32", 0
        if _mostly_zero(quads[0]) and _mostly_zero(quads[1]) and _mostly_zero(quads[2]):
            return "utf-32-be", "UTF-32", 0
    if _mostly_zero(odd) and not _mostly_zero(even):
        return "utf-16-le", "UTF-16", 0
    if _mostly_zero(even) and not _mostly_zero(odd):
        return "utf-16-be", "UTF-16", 0
    return None


def _mostly_zero(column: bytes) -> bool:
    return bool(column) and column.count(0) >= 0.9 * len(column)


def decode_text(data: bytes) -> tuple[str | None, str]:
    """(text, "") or (None, the one-line reason it is not text)."""
    sniffed = sniff_encoding(data)
    if sniffed is not None:
        codec, name, skip = sniffed
        try:
            text = data[skip:].decode(codec)
        except UnicodeDecodeError:
            text = None  # bytes that only look like a BOM: judged as UTF-8 below
        if text is not None and "\x00" in text:
            return None, f"binary file ({name} text with NUL characters)"
        if text is not None:
            return text, ""
    if b"\x00" in data[:8192]:
        return None, "binary file (contains NUL bytes)"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
