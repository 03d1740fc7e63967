"""Any SQLAlchemy URL (PostgreSQL, SQLite, …): each query in a read-only transaction with a
statement timeout, rolled back afterwards, and only text proven to be one statement.

A read-only transaction is not a boundary by itself: psycopg2 sends text with the simple
query protocol, so `SELECT 1; COMMIT; …` would end it. `prove_single_statement` refuses any
text that is not provably one statement before it reaches the driver.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING, Any, Self

from tools.errors import QueryError, WarehouseError
from tools.warehouse.execute import Deadline, QueryResult, elapsed_ms, timeout_error
from tools.warehouse.protocol import ColumnInfo, TableInfo
from tools.warehouse.results import ResultBounds, fetch_bounded
from tools.warehouse.single_statement import prove_single_statement

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from tools.warehouse.config import WarehouseConfig


class SQLAlchemyWarehouse:
    """Any SQLAlchemy URL, each query in a read-only transaction with a statement timeout."""

    def __init__(self, config: WarehouseConfig) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        from tools.sql.dialects import dialect_name

        assert config.url is not None
        self.config = config
        try:
            url = make_url(config.url)
        except ArgumentError as exc:
            raise WarehouseError(
                f"Invalid warehouse URL: {exc}",
                hint="Use an SQLAlchemy URL such as postgresql://user@host/db.",
            ) from None
        self.backend = url.get_backend_name()
        self.driver = url.get_driver_name()
        # The URL names the engine; it wins over a `dialect` setting left at its default.
        self.dialect = dialect_name(self.backend)
        try:
            self.engine: Engine = create_engine(
                url, connect_args=self._connect_args(), pool_pre_ping=True
            )
        except (NoSuchModuleError, ImportError) as exc:
            raise WarehouseError(
                f"No driver for {self.backend}: {exc}", hint="Install the database driver package."
            ) from None
        self._lock = threading.Lock()
        self._running: Any = None  # the DBAPI connection of the query in flight
        self._running_lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect_args(self) -> dict[str, Any]:
        # libpq options make the whole session read-only with a timeout, before any SQL runs.
        if self.backend == "postgresql" and self.driver in ("psycopg2", "psycopg"):
            options = "-c default_transaction_read_only=on -c standard_conforming_strings=on"
            if self.config.timeout_s:
                options += f" -c statement_timeout={int(self.config.timeout_s * 1000)}"
            return {"options": options}
        return {}

    def _begin_read_only(self, conn: Connection) -> None:
        if self.backend == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql("SET LOCAL standard_conforming_strings = on")
            if self.config.timeout_s:
                ms = int(self.config.timeout_s * 1000)
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
            # After a first query the access mode is fixed: a later `SET TRANSACTION READ
            # WRITE` in the statement itself is refused.
            conn.exec_driver_sql("SELECT 1")
        elif self.backend == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
        elif self.backend in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")

    def _proven(self, sql: str) -> str:
        text = prove_single_statement(sql)
        if self.backend not in ("postgresql", "sqlite") and "\\" in text:
            # Engines such as MySQL read a backslash inside a string as an escape.
            raise QueryError(
                "Not run: the text contains a backslash, which this engine may read as an escape.",
                hint="Only one read-only SELECT that passed the validator runs here.",
            )
        return text

    def execute(self, sql: str) -> QueryResult:
        start = time.perf_counter()
        text = self._proven(sql)
        columns, got = self._run(text)
        notes = list(got.notes)
        if got.byte_capped:
            notes.append(f"Rows stopped at about {self.config.max_result_bytes:,} bytes.")
        if got.cells_cut:
            notes.append(f"{got.cells_cut} value(s) were cut (marked …[truncated]).")
        return QueryResult(
            columns,
            got.rows,
            got.truncated,
            elapsed_ms(start),
            sql,
            byte_capped=got.byte_capped,
            cells_cut=got.cells_cut,
            notes=notes,
        )

    def _run(self, text: str) -> tuple[list[str], Any]:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        from tools.warehouse.results import BoundedRows

        bounds = ResultBounds(
            row_cap=self.config.row_cap,
            max_bytes=self.config.max_result_bytes,
            max_cell_bytes=self.config.max_cell_bytes,
        )
        with self._lock:
            try:
                conn = self.engine.connect()
            except SQLAlchemyError as exc:
                raise WarehouseError(
                    f"Cannot connect to the warehouse: {getattr(exc, 'orig', exc)}",
                    hint="Is the server running, and is `[warehouse] url` right?",
                ) from None
            deadline = Deadline(self.config.timeout_s, self.cancel)
            try:
                with conn:
                    dbapi = conn.connection.dbapi_connection
                    with self._running_lock:
                        self._running = dbapi
                    as_text: list[str] = []
                    if self.driver == "psycopg2":
                        _lenient_temporal_types(dbapi, as_text)
                    try:
                        self._begin_read_only(conn)
                        with deadline:
                            result = conn.exec_driver_sql(text)
                            columns = list(result.keys()) if result.returns_rows else []
                            try:
                                got = (
                                    fetch_bounded(result.fetchmany, bounds)
                                    if result.returns_rows
                                    else BoundedRows()
                                )
                            except (OverflowError, ValueError) as exc:
                                raise QueryError(
                                    f"The warehouse returned a value Python cannot hold: {exc}",
                                    hint="Cast the column to text in the query "
                                    "(CAST(x AS VARCHAR)).",
                                ) from None
                            if as_text:
                                got.notes.append(
                                    f"{len(as_text)} value(s) have no Python equivalent and "
                                    f"are shown as text (e.g. {as_text[0]!r})."
                                )
                    finally:
                        with self._running_lock:
                            self._running = None
                        conn.rollback()  # nothing a query did is ever committed
            except DBAPIError as exc:
                message = str(exc.orig)
                if deadline.fired.is_set() or "statement timeout" in message:
                    raise timeout_error(self.config.timeout_s) from None
                if "canceling statement due to user request" in message or "interrupted" in message:
                    raise QueryError("The query was cancelled.", hint="Run it again.") from None
                raise _query_error(exc.orig or exc) from None
            except SQLAlchemyError as exc:
                raise WarehouseError(f"Warehouse connection failed: {exc}") from None
        return columns, got

    def explain(self, sql: str) -> str:
        text = self._proven(sql)
        prefix = "EXPLAIN QUERY PLAN " if self.backend == "sqlite" else "EXPLAIN "
        _columns, got = self._run(prefix + text)
        return "\n".join(" ".join(str(v) for v in r) for r in got.rows)

    def cancel(self) -> None:
        """Cancel the running statement (from any thread); a no-op when none runs."""
        with self._running_lock:
            dbapi = self._running
        if dbapi is not None:
            _cancel(dbapi)

    def introspect(self) -> list[TableInfo]:
        from sqlalchemy import inspect
        from sqlalchemy.exc import SQLAlchemyError

        try:
            inspector = inspect(self.engine)
            return [
                TableInfo(
                    name,
                    [ColumnInfo(c["name"], str(c["type"])) for c in inspector.get_columns(name)],
                )
                for name in sorted(inspector.get_table_names())
            ]
        except SQLAlchemyError as exc:
            raise WarehouseError(f"Cannot list the warehouse's tables: {exc}") from None

    def close(self) -> None:
        self.engine.dispose()


def _query_error(exc: BaseException) -> QueryError:
    message = str(exc).strip()
    kind = type(exc).__name__.removesuffix("Exception").removesuffix("Error") or "Engine"
    return QueryError(
        f"{kind} error from the warehouse: {message}",
        hint="The SQL passed validation but the engine refused it; the "
        "message above is the engine's own.",
    )


def _lenient_temporal_types(dbapi_connection: Any, as_text: list[str]) -> None:
    """psycopg2 casts for dates, timestamps and intervals that fall back to the server's text
    where Python has no equivalent (year 294247, an interval of 10⁹ days) instead of failing
    the whole result; each fallback is recorded in `as_text`."""
    import psycopg2.extensions as ext

    def lenient(base: Any) -> Any:
        def cast(value: str | None, cursor: Any) -> Any:
            try:
                return base(value, cursor)
            except (OverflowError, ValueError):
                as_text.append(str(value))
                return value

        return cast

    for base in (ext.DATE, ext.PYDATETIME, ext.PYDATETIMETZ, ext.INTERVAL):
        ext.register_type(ext.new_type(base.values, base.name, lenient(base)), dbapi_connection)


def _cancel(dbapi_connection: Any) -> None:
    # psycopg2/psycopg have cancel(), sqlite3 has interrupt(); others rely on server timeouts.
    for name in ("cancel", "interrupt"):
        method = getattr(dbapi_connection, name, None)
        if callable(method):
            # Best effort: the server-side statement timeout still applies.
            with contextlib.suppress(Exception):
                method()
            return
