"""The child process that holds the read-only DuckDB connection and runs one statement at a time.

Why a process: DuckDB's binder and optimizer do not answer `interrupt()`, and its
`memory_limit` bounds the buffer manager, not everything the engine or the Python client
allocates. A process can be killed at the deadline and can be given an address-space bound
(`RLIMIT_AS`) that holds whatever allocates. The parent (`duckdb_adapter.py`) starts it,
sends requests as frames on its stdin and reads replies on its stdout.

Each request runs only if DuckDB's own statement split finds exactly one statement and that
statement is a SELECT (the connection's `extract_statements`): the engine's lexer, not ours,
decides.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path
from typing import Any

from tools.warehouse.frames import read_frame, write_frame
from tools.warehouse.results import ResultBounds, fetch_bounded


def _vm_size() -> int:
    """This process's current address-space size in bytes (Linux), 0 if unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_address_space(extra_bytes: int | None) -> int | None:
    """Bound the address space to what is mapped now plus `extra_bytes`; returns the bound."""
    if not extra_bytes:
        return None
    limit = _vm_size() + extra_bytes
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


class Worker:
    def __init__(self, setup: dict[str, Any]) -> None:
        import duckdb

        from tools.warehouse.duckdb_file import open_hardened

        temp_dir = setup.get("temp_dir")
        if temp_dir:
            Path(temp_dir).mkdir(parents=True, exist_ok=True)  # DuckDB makes only the leaf
        # Spill files go only to the bounded folder under .lablens/ (or nowhere): a read-only
        # connection otherwise spills next to the warehouse file.
        self.conn = open_hardened(
            Path(setup["path"]),
            memory_limit=setup.get("memory_limit"),
            temp_dir=Path(temp_dir) if temp_dir else None,
            max_temp_size=setup.get("max_temp_size"),
            threads=setup.get("threads"),
        )
        self.duckdb = duckdb
        self.temp_dir = Path(temp_dir) if temp_dir else None
        self.address_limit = _limit_address_space(setup.get("address_space_extra"))

    def spilled(self) -> bool:
        """Whether this process has spill files in the temporary folder."""
        return self.temp_dir is not None and any(spill_files(self.temp_dir, os.getpid()))

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "ping":
            return {"ok": True, "address_limit": self.address_limit}
        if op == "introspect":
            return {"ok": True, "tables": self.introspect()}
        statement = self.one_select(request["sql"])
        if isinstance(statement, dict):
            return statement
        bounds = ResultBounds(
            row_cap=request["row_cap"],
            max_bytes=request["max_bytes"],
            max_cell_bytes=request["max_cell_bytes"],
        )
        text = statement.query
        if op == "explain":
            text = "EXPLAIN " + text
            bounds = ResultBounds(row_cap=10_000, max_bytes=bounds.max_bytes)
        return self.run(text, bounds, as_text=False)

    def one_select(self, sql: str) -> Any:
        try:
            # The connection's own parser: the module-level function would first open
            # DuckDB's default in-memory database (about 30 ms of every first statement).
            statements = self.conn.extract_statements(sql)
        except self.duckdb.Error as exc:
            return _failure("error", exc)
        if len(statements) != 1:
            return {
                "ok": False,
                "kind": "refused",
                "message": f"DuckDB reads this text as {len(statements)} statements; exactly "
                "one SELECT may run.",
            }
        statement = statements[0]
        if statement.type != self.duckdb.StatementType.SELECT:
            kind = str(statement.type).rsplit(".", 1)[-1]
            return {
                "ok": False,
                "kind": "refused",
                "message": f"DuckDB reads this text as a {kind} statement; only a read-only "
                "SELECT may run.",
            }
        return statement

    def run(self, text: str, bounds: ResultBounds, *, as_text: bool) -> dict[str, Any]:
        duckdb = self.duckdb
        # A fresh session per statement: temp tables, macros or `SET search_path` left by
        # one statement can never shadow the catalog's tables for the next.
        session = self.conn.cursor()
        try:
            columns: list[str] = []
            description: list[Any] = []
            try:
                cursor = session.execute(text)
                description = list(cursor.description or [])
                columns = [d[0] for d in description]
                if as_text:
                    cursor = session.execute(
                        "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + text + ") AS lablens_q"
                    )
                got = fetch_bounded(cursor.fetchmany, bounds)
            except (OverflowError, ValueError) as exc:
                # The value exists in the engine but not in Python (an interval of 10⁹ days,
                # a date past year 9999): send the whole result as text instead.
                if as_text:
                    return _failure("error", exc)
                result = self.run(text, bounds, as_text=True)
                if result.get("ok"):
                    result.setdefault("notes", []).append(
                        f"Some values have no Python equivalent ({exc}); every value is shown "
                        "as text."
                    )
                return result
            except duckdb.InterruptException as exc:
                return _failure("interrupted", exc)
            except duckdb.OutOfMemoryException as exc:
                return _failure("memory", exc)
            except MemoryError as exc:
                return _failure("memory", exc)
            except duckdb.Error as exc:
                return _failure("error", exc)
        finally:
            session.close()
        notes = []
        temporal = [
            i
            for i, d in enumerate(description or [])
            if str(d[1]).upper().startswith(("DATE", "TIMESTAMP", "TIME", "INTERVAL"))
        ]
        if not as_text and temporal:
            texts = [r[i] for r in got.rows for i in temporal if isinstance(r[i], str)]
            if texts:
                # The client already sends values outside Python's range as text: say so.
                notes.append(
                    f"{len(texts)} date/time value(s) are outside Python's range and are shown "
                    f"as text (e.g. {texts[0]!r})."
                )
        return {
            "ok": True,
            "notes": notes,
            "columns": columns,
            "rows": got.rows,
            "truncated": got.truncated,
            "byte_capped": got.byte_capped,
            "cells_cut": got.cells_cut,
            "as_text": as_text,
        }

    def introspect(self) -> list[dict[str, Any]]:
        # Base tables only, as SQLAlchemy's inspector lists them; comments become descriptions.
        rows = self.conn.execute(
            "SELECT t.table_name, COALESCE(t.comment, ''), c.column_name, c.data_type, "
            "COALESCE(c.comment, '') FROM duckdb_tables() t JOIN duckdb_columns() c "
            "ON c.table_oid = t.table_oid WHERE t.schema_name = 'main' AND NOT t.temporary "
            "ORDER BY t.table_name, c.column_index"
        ).fetchall()
        tables: dict[str, dict[str, Any]] = {}
        for table, table_comment, column, kind, comment in rows:
            entry = tables.setdefault(str(table), {"comment": str(table_comment), "columns": []})
            entry["columns"].append((str(column), str(kind), str(comment)))
        return [{"name": name, **entry} for name, entry in tables.items()]


def spill_files(temp_dir: Path, pid: int) -> list[Path]:
    """The spill files DuckDB made for process `pid` in `temp_dir` (it names them by pid)."""
    try:
        return list(temp_dir.glob(f"duckdb_temp_{pid}_*"))
    except OSError:
        return []


def _failure(kind: str, exc: BaseException) -> dict[str, Any]:
    return {"ok": False, "kind": kind, "type": type(exc).__name__, "message": str(exc).strip()}


def main() -> None:
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Nothing else may write on the reply channel.
    sys.stdout = sys.stderr
    try:
        setup = read_frame(requests.fileno())
    except EOFError:
        return
    try:
        worker = Worker(setup)
    except Exception as exc:  # reported to the parent, which raises WarehouseError
        write_frame(replies, _failure("open", exc))
        return
    write_frame(replies, {"ok": True, "address_limit": worker.address_limit})
    while True:
        try:
            request = read_frame(requests.fileno())
        except EOFError:
            # The parent waits for this exit, so it is kept short: the interpreter's teardown
            # of DuckDB and the modules is skipped (about 0.1 s), and so is closing the
            # connection, which frees the buffer pool block by block (about 50 ms after the
            # statistics statement). A read-only connection has nothing to write back, and the
            # OS releases the file and its lock at exit. Only DuckDB's close deletes its spill
            # files, so a worker that spilled still closes.
            if worker.spilled():
                worker.conn.close()
            replies.flush()
            os._exit(0)
        try:
            reply = worker.handle(request)
        except MemoryError as exc:
            reply = _failure("memory", exc)
        except Exception as exc:  # a bug here must reach the parent, not kill the channel
            reply = _failure("bug", exc)
        try:
            write_frame(replies, reply)
        except MemoryError as exc:
            write_frame(replies, _failure("memory", exc))


if __name__ == "__main__":
    main()
