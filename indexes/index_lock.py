"""One writer per workspace: an `fcntl.flock` on `.lablens/index.lock`.

The kernel releases the lock when the holder dies (even by kill -9), so a crashed run never
leaves a stale lock behind. Readers (search) do not take it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.errors import IndexingError

LOCK_FILE = "index.lock"


@contextmanager
def index_lock(state_dir: Path, *, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the workspace's index lock; wait up to `wait_s` seconds, then refuse clearly."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise IndexingError(
                        f"Another index run (pid {holder}) is updating {state_dir}.",
                        hint="Wait for it to finish, or pass --wait SECONDS.",
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
