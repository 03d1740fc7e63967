"""A loopback OpenAI-compatible `/v1/embeddings` server for tests (stdlib only).

Vectors are deterministic: a hashed bag of words, so texts sharing words are close and the
same text always gets the same vector. Every request is counted, so tests can assert what
was (not) embedded.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIM = 64


def hashed_vector(text: str, dim: int = DIM) -> list[float]:
    vec = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        vec[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec] if any(vec) else [1.0 / math.sqrt(dim)] * dim


class EmbeddingServer:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.requests = 0
        self.inputs = 0
        self.delay_s = delay_s
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body: dict[str, Any] = json.loads(self.rfile.read(length))
                if not self.path.endswith("/embeddings"):
                    self.send_error(404)
                    return
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                server.requests += 1
                server.inputs += len(texts)
                if server.delay_s:
                    time.sleep(server.delay_s)
                data = [
                    {"object": "embedding", "index": i, "embedding": hashed_vector(t)}
                    for i, t in enumerate(texts)
                ]
                payload = json.dumps(
                    {
                        "object": "list",
                        "data": data,
                        "model": body["model"],
                        "usage": {"prompt_tokens": 0, "total_tokens": 0},
                    }
                )
                raw = payload.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                try:
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client was killed mid-request: that is what some tests do

            def log_message(self, *_: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> EmbeddingServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
