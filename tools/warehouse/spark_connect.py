"""A Spark Connect warehouse (`sc://host:port`): queries only, a deadline that interrupts, a cap.

Spark has no read-only session, so the guarantees here are what the client can enforce:

- every statement reaches Spark wrapped as `SELECT * FROM (<statement>) LIMIT cap + 1`, so
  Spark's own parser refuses anything that is not a query (DDL, DML, SET, CACHE, ADD JAR …),
  even a statement that slipped past the validator — and the row cap is applied by the engine;
- a deadline interrupts the running operation by its tag (`interruptTag`), so a runaway
  query stops on the cluster instead of being abandoned;
- one bounded, backed-off retry policy for an unreachable server (the default client waits
  about ten minutes), and every error names host and port, never the token.

On a real cluster, connect as a principal with read-only grants on the catalog's tables
(Unity Catalog / Ranger / Hive SQL-standard authorisation): that is the server-side half of
the defence, and lablens cannot provide it for you.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit

from tools.errors import QueryError, WarehouseError
from tools.warehouse.execute import Deadline, QueryResult, elapsed_ms, timeout_error
from tools.warehouse.protocol import ColumnInfo, TableInfo
from tools.warehouse.results import ResultBounds, fetch_bounded

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

    from tools.warehouse.config import WarehouseConfig

T = TypeVar("T")

# Connect attempts before giving up: waits of 0.25, 0.5, 1, 2 s (about 4 s in all).
CONNECT_RETRIES = 4
_INITIAL_BACKOFF_MS = 250
_MAX_BACKOFF_MS = 2000
_INTERRUPT_EVERY_S = 0.5
# The alias the wrapping subquery gets; never a catalog name.
_WRAP_ALIAS = "_lablens_q"


@dataclass(frozen=True)
class SparkEndpoint:
    """Where the server is, parsed from `sc://host:port/;param=value…` (token kept apart)."""

    url: str
    host: str
    port: int
    has_token: bool

    @property
    def where(self) -> str:
        """Host and port, safe to print (the URL may carry a token)."""
        return f"{self.host}:{self.port}"


def parse_spark_url(url: str) -> SparkEndpoint:
    """Check a Spark Connect URL; raises `WarehouseError` naming what is wrong."""
    if not url.startswith("sc://"):
        raise WarehouseError(
            "A Spark Connect URL starts with sc://",
            hint='Use `[warehouse] url = "sc://HOST:15002"`.',
        )
    head, _, params = url.removeprefix("sc://").partition("/")
    try:
        parts = urlsplit(f"//{head}")
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise WarehouseError(f"Invalid Spark Connect URL: {exc}") from None
    if not host:
        raise WarehouseError(
            "The Spark Connect URL names no host.", hint="Use sc://HOST:PORT, e.g. sc://spark:15002"
        )
    keys = {p.split("=", 1)[0].strip().lower() for p in params.split(";") if "=" in p}
    return SparkEndpoint(url=url, host=host, port=port or 15002, has_token="token" in keys)


def is_spark_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith("sc://")


@contextlib.contextmanager
def _quiet_client() -> Iterator[None]:
    # pyspark warns about pandas versions at import and on exhausted retries; neither is
    # actionable for a lablens user, and the errors themselves are reported below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class SparkConnectWarehouse:
    """A Spark Connect session of its own, opened on first use and released on `close`."""

    def __init__(self, config: WarehouseConfig) -> None:
        assert config.url is not None
        self.config = config
        self.endpoint = parse_spark_url(config.url)
        self.dialect = "spark"
        self._session: SparkSession | None = None
        self._closed = False
        self._lock = threading.Lock()  # one statement at a time, as with the other adapters
        self._running: str | None = None  # tag of the operation now running

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- session --------------------------------------------------------------------------

    @property
    def session(self) -> SparkSession:
        if self._closed:
            raise WarehouseError("The warehouse connection is closed.")
        if self._session is None:
            self._session = self._connect()
        return self._session

    def _connect(self) -> SparkSession:
        try:
            with _quiet_client():
                from pyspark.sql.connect.client.retries import DefaultPolicy
                from pyspark.sql.connect.session import SparkSession
        except ImportError as exc:
            raise WarehouseError(
                f"Spark Connect support is not installed ({exc.name or exc}).",
                hint="pip install 'lablens[spark]'",
            ) from None
        _silence_query_context_loggers()
        with _quiet_client():
            session = SparkSession.builder.remote(self.endpoint.url).create()
            # Bounded and backed off: an unreachable server is an error in seconds, not minutes.
            session.client.set_retry_policies(
                [
                    DefaultPolicy(
                        max_retries=CONNECT_RETRIES,
                        initial_backoff=_INITIAL_BACKOFF_MS,
                        backoff_multiplier=2.0,
                        max_backoff=_MAX_BACKOFF_MS,
                        jitter=0,
                        recognize_server_retry_delay=False,
                    )
                ]
            )
        try:
            self._call(lambda: session.version)  # the first round trip proves the endpoint
        except BaseException:
            with contextlib.suppress(Exception), _quiet_client():
                session.client.close()
            raise
        return session

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one client call; Spark's and gRPC's errors become lablens errors."""
        try:
            with _quiet_client():
                return fn()
        except (WarehouseError, QueryError):
            raise  # already ours (e.g. the session could not be opened)
        except Exception as exc:
            raise self._translate(exc) from None

    def _translate(self, exc: Exception) -> WarehouseError | QueryError:
        import grpc

        where = self.endpoint.where
        code = _status_code(exc)
        text = str(exc)
        if code == grpc.StatusCode.UNAUTHENTICATED or "StatusCode.UNAUTHENTICATED" in text:
            return WarehouseError(
                f"The Spark Connect server at {where} refused the credentials.",
                hint="Check the token in `[warehouse] url` (sc://HOST:PORT/;token=…).",
            )
        if code == grpc.StatusCode.UNAVAILABLE or "StatusCode.UNAVAILABLE" in text:
            return WarehouseError(
                f"Cannot reach the Spark Connect server at {where} "
                f"(gave up after {CONNECT_RETRIES} retries with back-off).",
                hint="Is the server running, and is `[warehouse] url` right?",
            )
        if "OPERATION_CANCELED" in text or code == grpc.StatusCode.CANCELLED:
            return QueryError("The query was cancelled.")
        return QueryError(
            f"Spark error from the warehouse: {_first_line(exc)}",
            hint="The SQL passed validation but the engine refused it; the "
            "message above is the engine's own.",
        )

    # -- queries --------------------------------------------------------------------------

    def _query_frame(self, sql: str, limit: int | None) -> Any:
        wrapped = f"SELECT * FROM ({sql}) AS {_WRAP_ALIAS}"
        if limit is not None:
            wrapped += f" LIMIT {int(limit)}"
        return self.session.sql(wrapped)

    def execute(self, sql: str) -> QueryResult:
        """Run one query; at most `row_cap` rows, interrupted past `timeout_s`."""
        start = time.perf_counter()
        cap = self.config.row_cap
        with self._lock:
            session = self.session
            tag = f"lablens-{uuid.uuid4().hex}"
            deadline = Deadline(self.config.timeout_s, lambda: self._interrupt(tag))
            session.addTag(tag)
            self._running = tag
            try:
                with deadline:
                    frame = self._call(lambda: self._query_frame(sql, cap + 1))
                    table = self._call(frame.toArrow)
            except QueryError:
                if deadline.fired.is_set():
                    raise timeout_error(self.config.timeout_s) from None
                raise
            finally:
                self._running = None
                session.removeTag(tag)
        columns = list(table.column_names)
        # By position, not by name: a result may repeat a column name (`SELECT a.x, b.x`).
        values = [column.to_pylist() for column in table.columns]
        pending = iter(list(zip(*values, strict=True)) if values else [])

        def fetchmany(n: int) -> list[tuple[Any, ...]]:
            return [row for _, row in zip(range(n), pending, strict=False)]

        bounded = fetch_bounded(
            fetchmany,
            ResultBounds(
                row_cap=cap,
                max_bytes=self.config.max_result_bytes,
                max_cell_bytes=self.config.max_cell_bytes,
            ),
        )
        return QueryResult(
            columns,
            bounded.rows,
            bounded.truncated,
            elapsed_ms(start),
            sql,
            byte_capped=bounded.byte_capped,
            cells_cut=bounded.cells_cut,
            notes=bounded.notes,
        )

    def explain(self, sql: str) -> str:
        """Dry run: Spark analyses the query (names, types) and plans it; nothing runs."""
        with self._lock:
            frame = self._call(lambda: self._query_frame(sql, None))
            return str(self._call(lambda: frame._explain_string(extended=False)))

    def introspect(self) -> list[TableInfo]:
        """The base tables of the session's current database (no views or temporary views),
        in name order, with their columns' types and the comments Spark keeps for both
        (catalog API calls, no SQL)."""
        with self._lock:
            session = self.session
            tables = self._call(lambda: session.catalog.listTables())
            out = []
            for table in sorted(tables, key=lambda t: str(t.name)):
                if table.isTemporary or str(table.tableType).upper() == "VIEW":
                    continue
                name: str = table.name
                columns = self._call(partial(session.catalog.listColumns, name))
                out.append(
                    TableInfo(
                        name,
                        [
                            ColumnInfo(c.name, str(c.dataType).upper(), c.description or "")
                            for c in columns
                        ],
                        table.description or "",
                    )
                )
            return out

    def cancel(self) -> None:
        """Interrupt the statement now running, if any (safe from another thread)."""
        tag = self._running
        if tag is not None:
            self._interrupt(tag)

    def _interrupt(self, tag: str) -> None:
        # Repeated until the statement returns: an interrupt that reaches the server before
        # the operation is registered under its tag finds nothing to stop. (Spark itself has
        # one more gap: an interrupt that lands after the operation started but before it
        # submitted its job ends the operation, and the job submitted right after still runs
        # to its end on the cluster; a read-only principal bounds what it can do.)
        threading.Thread(target=self._interrupt_until_done, args=(tag,), daemon=True).start()

    def _interrupt_until_done(self, tag: str) -> None:
        session = self._session
        deadline = time.monotonic() + 60
        while session is not None and self._running == tag and time.monotonic() < deadline:
            # Best effort: a failed interrupt leaves the deadline's error standing.
            with contextlib.suppress(Exception), _quiet_client():
                session.interruptTag(tag)
            time.sleep(_INTERRUPT_EVERY_S)

    def close(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            # Releases the server-side session; a dead server must not turn close into an error.
            with contextlib.suppress(Exception), _quiet_client():
                session.stop()


def _silence_query_context_loggers() -> None:
    # pyspark logs every engine error with its JVM stack trace to stderr before raising it;
    # lablens reports the error itself, once, without the trace.
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def _status_code(exc: BaseException) -> Any:
    """The gRPC status of a client error (pyspark wraps the `RpcError`), or None."""
    get = getattr(exc, "getGrpcStatusCode", None) or getattr(exc, "code", None)
    if callable(get):
        with contextlib.suppress(Exception):
            return get()
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
