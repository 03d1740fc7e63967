"""Length-prefixed pickle frames over a pipe: how the parent and the DuckDB worker talk.

Pickle is safe here because both ends are lablens code: the worker only sends values the
DuckDB client produced (numbers, strings, dates, decimals, lists …), never data from a peer
that could choose the bytes.
"""

from __future__ import annotations

import os
import pickle
import struct
from typing import IO, Any

_HEADER = struct.Struct("!Q")


def write_frame(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_exact(fd: int, size: int) -> bytes:
    """Exactly `size` bytes from a file descriptor; EOFError if the other end went away."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> Any:
    (size,) = _HEADER.unpack(read_exact(fd, _HEADER.size))
    return pickle.loads(read_exact(fd, size))
