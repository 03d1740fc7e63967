"""A DuckDB file, read through a worker process that can be killed (see `duckdb_worker.py`).

The worker holds the hardened read-only connection (no external access, configuration
locked, a memory limit, spilling only to a bounded folder) under an address-space bound.
This side enforces `timeout_s` with its own clock and kills the worker when it passes or
when `cancel()` is called (from any thread); the next query starts a fresh worker. One
query at a time; the worker starts on first use, so a run answered from a result cache
never pays for it, or earlier with `start()`: a caller that knows it will query starts it
before its own imports and validation, so the worker's DuckDB import and file open run
alongside them.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from tools.errors import QueryError, WarehouseError
from tools.warehouse.execute import QueryResult, elapsed_ms, timeout_error
from tools.warehouse.frames import read_frame, write_frame
from tools.warehouse.protocol import ColumnInfo, TableInfo

if TYPE_CHECKING:
    from tools.warehouse.config import WarehouseConfig

_START_TIMEOUT_S = 60.0
# What the worker needs from the environment; nothing else (no keys) is passed on.
_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
_CODE_ROOT = Path(__file__).resolve().parents[2]


class DuckDBWarehouse:
    """A DuckDB file opened read-only in a killable worker process."""

    dialect = "duckdb"

    def __init__(self, config: WarehouseConfig) -> None:
        assert config.path is not None
        if not config.path.is_file():
            raise WarehouseError(
                f"Warehouse file not found: {config.path}",
                hint="Check `[warehouse] path` in lablens.toml.",
            )
        self.config = config
        self.path = config.path
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False
        self._lock = threading.Lock()  # one request at a time
        self._proc_lock = threading.Lock()  # guards _proc against cancel() from other threads
        self._busy = False
        self._ready = False  # whether `_proc` has answered its setup frame
        self._cancelled = threading.Event()
        self.address_limit: int | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def opened(self) -> bool:
        """Whether a worker has been started (a run answered from a cache starts none)."""
        with self._proc_lock:
            return self._proc is not None

    # The interface -----------------------------------------------------------------------

    def execute(self, sql: str) -> QueryResult:
        start = time.perf_counter()
        reply = self._request(self._query("execute", sql))
        result = QueryResult(
            reply["columns"],
            reply["rows"],
            reply["truncated"],
            elapsed_ms(start),
            sql,
            byte_capped=reply["byte_capped"],
            cells_cut=reply["cells_cut"],
            notes=list(reply.get("notes", [])),
        )
        if result.byte_capped:
            result.notes.append(
                f"Rows stopped at about {self.config.max_result_bytes:,} bytes of results."
            )
        if result.cells_cut:
            result.notes.append(
                f"{result.cells_cut} value(s) longer than {self.config.max_cell_bytes:,} "
                "bytes were cut (marked …[truncated])."
            )
        return result

    def explain(self, sql: str) -> str:
        reply = self._request(self._query("explain", sql))
        return "\n".join(str(r[-1]) for r in reply["rows"])

    def introspect(self) -> list[TableInfo]:
        reply = self._request({"op": "introspect"})
        return [
            TableInfo(t["name"], [ColumnInfo(*c) for c in t["columns"]], t["comment"])
            for t in reply["tables"]
        ]

    def start(self) -> None:
        """Begin starting the worker without waiting for it; the first request waits until
        it is ready (and reports an error opening the file). A no-op when one runs, or
        while another thread's query holds the worker (never waits for it)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._closed:
                return
            with self._proc_lock:
                if self._proc is not None and self._proc.poll() is None:
                    return
            proc = self._launch()
            with self._proc_lock:
                self._proc, self._ready = proc, False
        finally:
            self._lock.release()

    def cancel(self) -> None:
        """Stop the running query (from any thread); a no-op when none runs."""
        with self._proc_lock:
            if self._busy:
                self._cancelled.set()
                if self._proc is not None:
                    _kill(self._proc)

    def close(self) -> None:
        self._closed = True
        with self._proc_lock:
            proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc, self.config.temp_dir)

    # The worker --------------------------------------------------------------------------

    def _query(self, op: str, sql: str) -> dict[str, Any]:
        return {
            "op": op,
            "sql": sql,
            "row_cap": self.config.row_cap,
            "max_bytes": self.config.max_result_bytes,
            "max_cell_bytes": self.config.max_cell_bytes,
        }

    def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._cancelled.clear()
            with self._proc_lock:
                self._busy = True
            try:
                proc = self._worker()
                if self._cancelled.is_set():  # cancelled while the worker was starting
                    raise QueryError("The query was cancelled.", hint="Run it again to retry.")
                assert proc.stdin is not None
                try:
                    write_frame(proc.stdin, message)
                except (BrokenPipeError, OSError):
                    reply = None
                else:
                    reply = self._wait(proc, self.config.timeout_s)
            finally:
                with self._proc_lock:
                    self._busy = False
            if reply is None:
                self._forget(proc)
                raise self._lost(proc)
            if not reply.get("ok"):
                raise self._refused(reply)
            return dict(reply)

    def _wait(self, proc: subprocess.Popen[bytes], timeout_s: float | None) -> Any:
        """The reply, or None when the worker is gone; kills it at the deadline."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s if timeout_s and timeout_s > 0 else None
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                _kill(proc)
                self._forget(proc)
                raise timeout_error(timeout_s)
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                try:
                    return read_frame(fd)
                except (EOFError, OSError):
                    return None

    def _worker(self) -> subprocess.Popen[bytes]:
        if self._closed:
            raise WarehouseError("The warehouse connection is closed.")
        with self._proc_lock:
            proc, ready = self._proc, self._ready
        if proc is not None and not ready:  # started by `start()`: wait for its setup reply
            self._await_ready(proc)
            with self._proc_lock:
                self._ready = self._proc is proc
            return proc
        if proc is not None and proc.poll() is None:
            return proc
        proc = self._launch()
        with self._proc_lock:
            self._proc, self._ready = proc, False
        self._await_ready(proc)
        with self._proc_lock:
            self._ready = self._proc is proc
        return proc

    def _launch(self) -> subprocess.Popen[bytes]:
        """Start a worker process and send it its setup; does not wait for it."""
        config = self.config
        env = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
        env["PYTHONPATH"] = os.pathsep.join([str(_CODE_ROOT), *sys.path[1:]])
        # glibc reserves 64 MB of address space per thread arena; a few suffice here and
        # leave the address-space bound for real allocations.
        env["MALLOC_ARENA_MAX"] = "2"
        proc = subprocess.Popen(
            [sys.executable, "-S", "-m", "tools.warehouse.duckdb_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=str(_CODE_ROOT),
            close_fds=True,
        )
        weakref.finalize(self, _stop, proc, config.temp_dir)
        assert proc.stdin is not None
        write_frame(
            proc.stdin,
            {
                "path": str(self.path),
                "memory_limit": config.memory_limit,
                "temp_dir": str(config.temp_dir) if config.temp_dir else None,
                "max_temp_size": config.max_temp_size,
                "threads": config.threads,
                "address_space_extra": config.address_space_extra(),
            },
        )
        return proc

    def _await_ready(self, proc: subprocess.Popen[bytes]) -> None:
        """Wait for the worker's setup reply; `WarehouseError` (worker gone) when it fails."""
        try:
            reply = self._wait(proc, _START_TIMEOUT_S)
        except QueryError:
            self._forget(proc)
            raise WarehouseError(f"The DuckDB worker for {self.path} did not start.") from None
        if reply is None or not reply.get("ok"):
            self._forget(proc)
            detail = (reply or {}).get("message", "the worker process exited")
            raise WarehouseError(
                f"Cannot open warehouse {self.path}: {detail}",
                hint="Is it a DuckDB file, and readable? A process writing to it holds a "
                "lock until it closes.",
            )
        self.address_limit = reply.get("address_limit")

    def _forget(self, proc: subprocess.Popen[bytes]) -> None:
        with self._proc_lock:
            if self._proc is proc:
                self._proc = None
        _stop(proc, self.config.temp_dir)

    def _lost(self, proc: subprocess.Popen[bytes]) -> QueryError:
        if self._cancelled.is_set():
            return QueryError("The query was cancelled.", hint="Run it again to retry.")
        code = proc.poll()
        return QueryError(
            "The query process stopped before answering"
            + (f" (signal {-code})" if code is not None and code < 0 else "")
            + f": most likely it needed more memory than the bound "
            f"({self.config.memory_limit} for the engine).",
            hint="Aggregate more or filter more, or raise `[warehouse] memory_limit`.",
        )

    def _refused(self, reply: dict[str, Any]) -> Exception:
        kind = reply.get("kind")
        message = str(reply.get("message", "")).strip()
        if kind == "refused":
            return QueryError(
                f"Not run: {message}",
                hint="Only one read-only SELECT that passed the validator runs here.",
            )
        if kind == "memory":
            return QueryError(
                f"The query needed more memory than the {self.config.memory_limit} limit: "
                f"{message.splitlines()[0] if message else 'out of memory'}",
                hint="Aggregate more or filter more, or raise `[warehouse] memory_limit`.",
            )
        if kind == "interrupted":
            return timeout_error(self.config.timeout_s)
        if kind == "bug":
            return RuntimeError(f"DuckDB worker failed: {reply.get('type')}: {message}")
        name = str(reply.get("type", "Engine"))
        kind_name = name.removesuffix("Exception").removesuffix("Error") or "Engine"
        return QueryError(
            f"{kind_name} error from the warehouse: {message}",
            hint="The SQL passed validation but the engine refused it; the "
            "message above is the engine's own.",
        )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.kill()


def _stop(proc: subprocess.Popen[bytes], temp_dir: Path | None) -> None:
    """Close the worker's pipes and make sure it is gone (politely first).

    A worker that was killed (deadline, cancel, lost) could not delete its spill files,
    which DuckDB names by process id: they are removed here, once the process is reaped.
    """
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()  # the worker reads EOF and exits
    _await_exit(proc, 2.0)
    if proc.stdout is not None:
        with contextlib.suppress(OSError):
            proc.stdout.close()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait()
    if temp_dir is not None:
        from tools.warehouse.duckdb_worker import spill_files

        for path in spill_files(temp_dir, proc.pid):
            with contextlib.suppress(OSError):
                path.unlink()


def _await_exit(proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Return when the worker has closed its end of the reply pipe (it exits), or at the timeout.

    `select` wakes the moment the pipe closes; `Popen.wait(timeout=…)` polls in doubling
    sleeps and so returns 31 or 63 ms after an exit that took 20 or 40.
    """
    if proc.stdout is None or proc.poll() is not None:
        return
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout_s
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return
