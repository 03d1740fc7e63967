"""A `chroma run` process on 127.0.0.1 for tests: started on a free port, stopped (or killed)
by the test that owns it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ChromaServer:
        exe = Path(sys.executable).parent / "chroma"
        if not exe.exists() and shutil.which("chroma") is None:
            pytest.skip("the `chroma` CLI is not installed")
        self.path.mkdir(parents=True, exist_ok=True)
        log = (self.path.parent / f"chroma-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            [
                *(str(exe if exe.exists() else "chroma"), "run", "--path", str(self.path)),
                *("--host", "127.0.0.1", "--port", str(self.port)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.skip(f"`chroma run` did not start: see {log.name}")
                time.sleep(0.2)

    def kill(self) -> None:
        """Die at once, as a crashed or unplugged server does."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
