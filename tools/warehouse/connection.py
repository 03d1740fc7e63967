"""Read-only warehouse connections: a DuckDB file, or any SQLAlchemy URL (PostgreSQL …).

Defence in depth behind the validator: even a statement that slipped past it cannot write,
read files, or change settings, and every query has a deadline and a row cap.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from tools.errors import QueryError, WarehouseError
from tools.warehouse.execute import Deadline, QueryResult, elapsed_ms, fetch_capped, timeout_error

if TYPE_CHECKING:
    import duckdb
    from sqlalchemy.engine import Connection, Engine


class WarehouseSettingsLike(Protocol):
    """What `open_warehouse` reads; `agent.config.WarehouseSettings` has these fields."""

    path: str | None
    url: str | None
    dialect: str
    timeout_s: float
    row_cap: int
    memory_limit: str


@dataclass(frozen=True)
class WarehouseConfig:
    """Where the warehouse is and the limits every query runs under."""

    path: Path | None = None
    url: str | None = None
    dialect: str = "duckdb"
    timeout_s: float | None = 30.0
    row_cap: int = 10_000
    memory_limit: str | None = "2GB"

    @classmethod
    def from_settings(cls, settings: Any, root: Path) -> WarehouseConfig:
        """From any object with the `WarehouseSettingsLike` fields; `path` is root-relative."""
        url = getattr(settings, "url", None)
        raw_path = getattr(settings, "path", None)
        path = None
        if not url and raw_path:
            path = Path(raw_path).expanduser()
            path = path if path.is_absolute() else (root / path)
        return cls(
            path=path,
            url=url,
            dialect=getattr(settings, "dialect", "duckdb"),
            timeout_s=getattr(settings, "timeout_s", 30.0),
            row_cap=getattr(settings, "row_cap", 10_000),
            memory_limit=getattr(settings, "memory_limit", "2GB"),
        )


class Warehouse(Protocol):
    dialect: str

    def explain(self, sql: str) -> str: ...

    def execute(self, sql: str) -> QueryResult: ...

    def close(self) -> None: ...

    def __enter__(self) -> Warehouse: ...

    def __exit__(self, *exc: object) -> None: ...


def warehouse_dialect(settings: Any) -> str:
    """The SQL dialect queries must be written in, without opening anything.

    A URL names its engine (`postgresql://…` is postgres) and wins; otherwise `dialect`.
    """
    from tools.sql.dialects import dialect_name

    url = getattr(settings, "url", None)
    if url and str(url).startswith("sc://"):
        return "spark"  # Spark Connect
    if url:
        scheme = url.split("://", 1)[0].split("+", 1)[0]
        return dialect_name(scheme)
    return dialect_name(getattr(settings, "dialect", "duckdb") or "duckdb")


def open_warehouse(settings: Any, root: Path) -> Warehouse:
    """Open the workspace's warehouse read-only (`settings`: `WarehouseSettingsLike` fields)."""
    config = (
        settings
        if isinstance(settings, WarehouseConfig)
        else WarehouseConfig.from_settings(settings, root)
    )
    if config.url:
        if config.url.startswith("duckdb:///"):
            path = Path(config.url.removeprefix("duckdb:///")).expanduser()
            path = path if path.is_absolute() else root / path
            return DuckDBWarehouse(_replace_path(config, path))
        if config.url.startswith("sc://"):
            from tools.warehouse.spark_connect import SparkConnectWarehouse

            return SparkConnectWarehouse(config)
        return SQLAlchemyWarehouse(config)
    if config.path is None:
        raise WarehouseError(
            "No warehouse configured.",
            hint="Set `[warehouse] path` (a DuckDB file) or `url` in lablens.toml.",
        )
    return DuckDBWarehouse(config)


def _replace_path(config: WarehouseConfig, path: Path) -> WarehouseConfig:
    return WarehouseConfig(
        path=path,
        url=None,
        dialect="duckdb",
        timeout_s=config.timeout_s,
        row_cap=config.row_cap,
        memory_limit=config.memory_limit,
    )


class _Base:
    dialect: str

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class DuckDBWarehouse(_Base):
    """A DuckDB file opened read-only, without external access, configuration locked."""

    def __init__(self, config: WarehouseConfig) -> None:
        assert config.path is not None
        if not config.path.is_file():
            raise WarehouseError(
                f"Warehouse file not found: {config.path}",
                hint="Check `[warehouse] path` in lablens.toml.",
            )
        self.config = config
        self.dialect = "duckdb"
        self.path = config.path
        # Opened on first use: a run answered from a result cache never pays for it.
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        # One statement at a time per connection; the TUI may call from worker threads.
        self._lock = threading.Lock()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The hardened connection; each statement runs in its own cursor (session) of it."""
        if self._closed:
            raise WarehouseError("The warehouse connection is closed.")
        if self._conn is None:
            from tools.warehouse.duckdb_file import open_hardened

            self._conn = open_hardened(self.path, memory_limit=self.config.memory_limit)
        return self._conn

    def execute(self, sql: str) -> QueryResult:
        import duckdb

        start = time.perf_counter()
        with self._lock:
            conn = self.connection
            # A fresh session per statement: temp tables, macros or `SET search_path` left by
            # one statement can never shadow the catalog's tables for the next.
            session = conn.cursor()
            deadline = Deadline(self.config.timeout_s, session.interrupt)
            try:
                with deadline:
                    cursor = session.execute(sql)
                    columns = [d[0] for d in (cursor.description or [])]
                    rows, truncated = fetch_capped(cursor.fetchmany, self.config.row_cap)
            except duckdb.InterruptException:
                raise timeout_error(self.config.timeout_s) from None
            except duckdb.OutOfMemoryException as exc:
                raise QueryError(
                    f"The query needed more memory than the {self.config.memory_limit} limit: "
                    f"{str(exc).splitlines()[0]}",
                    hint="Aggregate more or filter more, or raise `[warehouse] memory_limit`.",
                ) from None
            except duckdb.Error as exc:
                if deadline.fired.is_set():
                    raise timeout_error(self.config.timeout_s) from None
                raise _query_error(exc) from None
            finally:
                session.close()
        return QueryResult(columns, rows, truncated, elapsed_ms(start), sql)

    def explain(self, sql: str) -> str:
        result = self.execute(f"EXPLAIN {sql}")
        return "\n".join(str(r[-1]) for r in result.rows)

    def close(self) -> None:
        self._closed = True
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _query_error(exc: BaseException) -> QueryError:
    message = str(exc).strip()
    kind = type(exc).__name__.removesuffix("Exception").removesuffix("Error") or "Engine"
    return QueryError(
        f"{kind} error from the warehouse: {message}",
        hint="The SQL passed validation but the engine refused it; the "
        "message above is the engine's own.",
    )


class SQLAlchemyWarehouse(_Base):
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

    def _connect_args(self) -> dict[str, Any]:
        # libpq options make the whole session read-only with a timeout, before any SQL runs.
        if self.backend == "postgresql" and self.driver in ("psycopg2", "psycopg"):
            options = "-c default_transaction_read_only=on"
            if self.config.timeout_s:
                options += f" -c statement_timeout={int(self.config.timeout_s * 1000)}"
            return {"options": options}
        return {}

    def _begin_read_only(self, conn: Connection) -> None:
        if self.backend == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
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

    def execute(self, sql: str) -> QueryResult:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        start = time.perf_counter()
        with self._lock:
            try:
                conn = self.engine.connect()
            except SQLAlchemyError as exc:
                raise WarehouseError(
                    f"Cannot connect to the warehouse: {getattr(exc, 'orig', exc)}",
                    hint="Is the server running, and is `[warehouse] url` right?",
                ) from None
            # `dbapi` is bound below, before the deadline can fire.
            deadline = Deadline(self.config.timeout_s, lambda: _cancel(dbapi))
            try:
                with conn:
                    dbapi = conn.connection.dbapi_connection
                    try:
                        self._begin_read_only(conn)
                        with deadline:
                            result = conn.exec_driver_sql(sql)
                            columns = list(result.keys()) if result.returns_rows else []
                            rows, truncated = (
                                fetch_capped(result.fetchmany, self.config.row_cap)
                                if result.returns_rows
                                else ([], False)
                            )
                    finally:
                        conn.rollback()  # nothing a query did is ever committed
            except DBAPIError as exc:
                text = str(exc.orig)
                if deadline.fired.is_set() or "statement timeout" in text:
                    raise timeout_error(self.config.timeout_s) from None
                raise _query_error(exc.orig or exc) from None
            except SQLAlchemyError as exc:
                raise WarehouseError(f"Warehouse connection failed: {exc}") from None
        return QueryResult(columns, rows, truncated, elapsed_ms(start), sql)

    def explain(self, sql: str) -> str:
        result = self.execute(f"EXPLAIN {sql}")
        return "\n".join(" ".join(str(v) for v in r) for r in result.rows)

    def close(self) -> None:
        self.engine.dispose()


def _cancel(dbapi_connection: Any) -> None:
    # psycopg2/psycopg have cancel(), sqlite3 has interrupt(); others rely on server timeouts.
    for name in ("cancel", "interrupt"):
        method = getattr(dbapi_connection, name, None)
        if callable(method):
            # Best effort: the server-side statement timeout still applies.
            with contextlib.suppress(Exception):
                method()
            return
