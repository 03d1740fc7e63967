"""An OpenAI-compatible HTTP server on 127.0.0.1 whose answers are scripted — for tests.

    with LoopbackServer([ErrorResponse(429), ChatResponse("SELECT 1")]) as server:
        model = OpenAIChatModel(LLMSettings(base_url=server.base_url, api_key=...))

Implements POST /v1/chat/completions (plain and SSE streaming, OpenAI tool calls), POST
/v1/embeddings (deterministic vectors from a hash of the text) and GET /v1/models. Chat answers
come from a queue that may hold status codes (429, 500), delays (to provoke time-outs) and
tool calls with malformed arguments. Every request is recorded, headers included, so tests can
check that the key was sent. stdlib only; binds an ephemeral port on loopback and stops when the
`with` block ends or, at the latest, after `lifetime_s`.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from agent.llm.openai_wire import (
    ChatResponse,
    ErrorResponse,
    Request,
    ScriptedToolCall,
    completion_body,
    completion_chunks,
    embeddings_body,
    error_body,
    hash_embedding,
    models_body,
)

__all__ = [
    "ChatResponse",
    "ErrorResponse",
    "LoopbackServer",
    "RecordedRequest",
    "ScriptedToolCall",
    "hash_embedding",
]

Scripted = ChatResponse | ErrorResponse | str


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Request | None


class LoopbackServer:
    def __init__(
        self,
        responses: Iterable[Scripted] = (),
        *,
        model: str = "loopback-model",
        embedding_dim: int = 64,
        require_api_key: str | None = None,
        lifetime_s: float = 120.0,
    ) -> None:
        self.model = model
        self.embedding_dim = embedding_dim
        self.require_api_key = require_api_key
        self.lifetime_s = lifetime_s
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Scripted] = deque(responses)
        self._embedding_errors: deque[ErrorResponse] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    # -- scripting -------------------------------------------------------------------------
    def add(self, *responses: Scripted) -> None:
        with self._lock:
            self._queue.extend(responses)

    def add_embedding_error(self, *errors: ErrorResponse) -> None:
        with self._lock:
            self._embedding_errors.extend(errors)

    @property
    def remaining(self) -> int:
        return len(self._queue)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("LoopbackServer is not running; use it as a context manager")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> LoopbackServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.owner = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="lablens-loopback-llm",
            daemon=True,
        )
        self._thread.start()
        self._timer = threading.Timer(self.lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on a scripted delay
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        with self._lock:
            httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._stopped.set()

    def wait_until_stopped(self, timeout: float) -> bool:
        """True once the server has stopped (its `with` block ended or its lifetime ran out)."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the handler -----------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_chat(self) -> Scripted:
        with self._lock:
            if not self._queue:
                return ErrorResponse(400, "loopback server: no scripted chat response left")
            return self._queue.popleft()

    def _next_embedding_error(self) -> ErrorResponse | None:
        with self._lock:
            return self._embedding_errors.popleft() if self._embedding_errors else None

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    server_version = "lablens-loopback/1"

    @property
    def owner(self) -> LoopbackServer:
        return self.server.owner  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; requests are recorded in `owner.requests`

    def do_GET(self) -> None:
        self._record(None)
        if not self._authorized():
            return
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, models_body(self.owner.model))
        else:
            self._send_error(404, f"no route GET {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            self._record(None)
            self._send_error(400, "request body is not JSON")
            return
        self._record(body)
        if not self._authorized():
            return
        try:
            if self.path.endswith("/chat/completions"):
                self._chat(body)
            elif self.path.endswith("/embeddings"):
                self._embeddings(body)
            else:
                self._send_error(404, f"no route POST {self.path}")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its time-out fired during a scripted delay)

    # -- routes ----------------------------------------------------------------------------
    def _chat(self, body: Request) -> None:
        scripted = self.owner._next_chat()
        if isinstance(scripted, str):
            scripted = ChatResponse(scripted)
        self.owner._sleep(scripted.delay_s)
        if isinstance(scripted, ErrorResponse):
            self._send_error(scripted.status, scripted.message, scripted.headers)
        elif body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for payload in completion_chunks(self.owner.model, body, scripted):
                self._sse(json.dumps(payload))
            if scripted.cut_after_chunks is None:
                self._sse("[DONE]")
            self.close_connection = True
        else:
            self._send_json(200, completion_body(self.owner.model, body, scripted))

    def _embeddings(self, body: Request) -> None:
        error = self.owner._next_embedding_error()
        if error is not None:
            self.owner._sleep(error.delay_s)
            self._send_error(error.status, error.message, error.headers)
            return
        answer = embeddings_body(body, self.owner.embedding_dim)
        if answer is None:
            self._send_error(400, "`input` must be a string or a non-empty list")
        else:
            self._send_json(200, answer)

    # -- plumbing --------------------------------------------------------------------------
    def _record(self, body: Request | None) -> None:
        self.owner._record(
            RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
        )

    def _authorized(self) -> bool:
        expected = self.owner.require_api_key
        if expected is None or self.headers.get("Authorization") == f"Bearer {expected}":
            return True
        self._send_error(401, "invalid API key")
        return False

    def _send_json(
        self, status: int, payload: dict[str, object], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, error_body(status, message), headers)

    def _sse(self, data: str) -> None:
        self.wfile.write(b"data: " + data.encode("utf-8") + b"\n\n")
        self.wfile.flush()
