"""Chroma at the edge: an embedded `PersistentClient` under `.lablens/chroma`, or an
`HttpClient` to a `chroma run` server. Cosine space, telemetry off, our own vectors only.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from tools.errors import ConfigError, IndexingError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_T = TypeVar("_T")
CHROMA_DIR = "chroma"
DOCS_COLLECTION = "lablens_docs"
CONNECT_ATTEMPTS = 4
CONNECT_BACKOFF_S = (0.5, 1.0, 2.0)  # waits between attempts: about 3.5 s before giving up


class ServerUnavailable(IndexingError):
    """The Chroma server stopped answering (not the fault of the file being indexed)."""


_CLIENTS: dict[tuple[str, str | None], Any] = {}


def open_client(state_dir: Path, chroma_url: str | None = None) -> Any:
    """A Chroma client, one per (folder, server) for the life of the process: a long-lived
    process (the chat UI) then searches without re-opening Chroma each time."""
    # A server's client does not depend on the folder (a shared index's readers search a
    # copy of its state under .lablens/shared).
    key = ("", chroma_url) if chroma_url else (str(Path(state_dir).resolve()), None)
    if key not in _CLIENTS:
        if not _CLIENTS:
            atexit.register(close_clients)
        _CLIENTS[key] = _new_client(state_dir, chroma_url)
    return _CLIENTS[key]


def close_clients() -> None:
    """Close every cached client (HTTP sessions, SQLite handles)."""
    while _CLIENTS:
        _, client = _CLIENTS.popitem()
        _close(client)


def _close(client: Any) -> None:
    # chromadb's close() stops its System but leaves the HTTP sessions' pooled sockets open
    # (the client's and its admin client's: a ResourceWarning each, and connections kept to a
    # server that may have died).
    sessions = [
        getattr(getattr(owner, "_server", None), "_session", None)
        for owner in (client, getattr(client, "_admin_client", None))
    ]
    with contextlib.suppress(Exception):  # best effort: the process is usually exiting
        client.close()
    for session in sessions:
        if session is not None:
            with contextlib.suppress(Exception):
                session.close()


def _new_client(state_dir: Path, chroma_url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if not chroma_url:
        return chromadb.PersistentClient(path=str(state_dir / CHROMA_DIR), settings=settings)
    url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"docs.chroma_url `{chroma_url}` is not an http(s)://host:port URL")
    host, port = url.hostname, url.port or 8000
    last: Exception | None = None
    for attempt in range(CONNECT_ATTEMPTS):
        if attempt:
            time.sleep(CONNECT_BACKOFF_S[min(attempt, len(CONNECT_BACKOFF_S)) - 1])
        client: Any = None
        try:
            client = chromadb.HttpClient(
                host=host, port=port, ssl=url.scheme == "https", settings=settings
            )
            client.heartbeat()
            return client
        except Exception as exc:  # chromadb raises plain Exceptions/ValueErrors for these
            if client is not None:
                _close(client)
            last = exc
    raise IndexingError(
        f"Cannot reach the Chroma server at {host}:{port} ({chroma_url}) after "
        f"{CONNECT_ATTEMPTS} attempts: {last}",
        hint="Start it with `chroma run --path DIR --host HOST --port PORT`, or unset "
        "docs.chroma_url to use the embedded index.",
    )


def server_label(client: Any) -> str:
    """host:port of a server client, "the embedded index" otherwise."""
    try:
        settings = client.get_settings()
    except Exception:
        return "the Chroma server"
    host = getattr(settings, "chroma_server_host", None)
    if not host:
        return "the embedded index"
    return f"{host}:{getattr(settings, 'chroma_server_http_port', None) or 8000}"


@contextlib.contextmanager
def translate_server_errors(client: Any) -> Iterator[None]:
    """Turn a dropped connection to the server into `ServerUnavailable` naming host:port."""
    try:
        yield
    except Exception as exc:
        import httpx

        if not isinstance(exc, httpx.TransportError):
            raise
        raise ServerUnavailable(
            f"The Chroma server at {server_label(client)} stopped answering: {exc}",
            hint="Check that `chroma run` is still up; the index is unchanged where the run "
            "stopped, and the next `lablens index` carries on from there.",
        ) from None


def _guarded(method: Callable[..., _T]) -> Callable[..., _T]:
    """A store method whose dropped connections raise `ServerUnavailable`."""

    @functools.wraps(method)
    def call(self: VectorStore, *args: Any, **kwargs: Any) -> _T:
        with translate_server_errors(self.client):
            return method(self, *args, **kwargs)

    return call


class VectorStore:
    """One Chroma collection holding (id, vector, document, metadata) rows."""

    def __init__(self, client: Any, name: str, metadata: dict[str, Any] | None = None) -> None:
        self.client = client
        self.name = name
        self.metadata = metadata  # collection-level, set when the collection is created
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            with translate_server_errors(self.client):
                self._collection = self.client.get_or_create_collection(
                    self.name,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata=self.metadata,
                    embedding_function=None,
                )
        return self._collection

    @_guarded
    def exists(self) -> bool:
        return self.name in {c.name for c in self.client.list_collections()}

    @_guarded
    def drop(self) -> None:
        if self.exists():
            self.client.delete_collection(self.name)
        self._collection = None

    @_guarded
    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        page = 5000
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            ids.update(got)
            if len(got) < page:
                return ids
            offset += page

    @_guarded
    def vectors(self, ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """The stored vector of each of `ids` that the collection holds."""
        import numpy as np

        out: dict[str, NDArray[np.float32]] = {}
        ids = list(ids)
        step = max(1, int(self.client.get_max_batch_size()))
        for i in range(0, len(ids), step):
            got = self.collection.get(ids=ids[i : i + step], include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[cid] = np.asarray(vec, dtype=np.float32)
        return out

    @_guarded
    def upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        step = max(1, int(self.client.get_max_batch_size()))
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=list(ids[i : i + step]),
                embeddings=vectors[i : i + step],
                documents=list(documents[i : i + step]),
                metadatas=list(metadatas[i : i + step]),
            )

    @_guarded
    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        step = max(1, int(self.client.get_max_batch_size()))
        for i in range(0, len(ids), step):
            self.collection.delete(ids=ids[i : i + step])

    @_guarded
    def query(
        self, vector: NDArray[np.float32], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float, dict[str, Any], str]]:
        """(id, cosine distance, metadata, document) nearest first."""
        if k <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector],
            n_results=k,
            where=where,
            include=["distances", "metadatas", "documents"],
        )
        return [
            (i, float(d), dict(m or {}), doc or "")
            for i, d, m, doc in zip(
                res["ids"][0],
                res["distances"][0],
                res["metadatas"][0],
                res["documents"][0],
                strict=True,
            )
        ]

    @_guarded
    def count(self) -> int:
        return int(self.collection.count())
