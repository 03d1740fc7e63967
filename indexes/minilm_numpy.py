"""A pure-numpy forward pass of a BERT-family sentence-transformers model (mean pooling).

Why: importing sentence-transformers/torch costs ~9 s of start-up on this class of machine,
while a single query needs one 6-layer forward pass. With numpy + `tokenizers` + safetensors
the cold `lablens search` stays around a second. A test checks the vectors match the
sentence-transformers ones (cosine > 0.9999).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def supports(model_dir: Path) -> bool:
    """True when `model_dir` holds a BERT model with mean pooling this module can run."""
    try:
        config = json.loads((model_dir / "config.json").read_text())
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "") for m in modules]
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (model_dir / "model.safetensors").is_file()
        and (model_dir / "tokenizer.json").is_file()
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(
            pooling.get(k)
            for k in (
                "pooling_mode_cls_token",
                "pooling_mode_max_tokens",
                "pooling_mode_mean_sqrt_len_tokens",
            )
        )
        and kinds[:2]
        == ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"]
        and all(k == "sentence_transformers.models.Normalize" for k in kinds[2:])
    )


class NumpyMiniLM:
    """Encodes texts like `SentenceTransformer.encode(..., normalize_embeddings=True)`."""

    def __init__(self, model_dir: Path, max_seq_length: int = 256) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.config: dict[str, Any] = json.loads((model_dir / "config.json").read_text())
        self.normalize = (
            "sentence_transformers.models.Normalize" in (model_dir / "modules.json").read_text()
        )
        weights = load_file(str(model_dir / "model.safetensors"))
        # Some checkpoints prefix every key with "bert."; the bundled one does not.
        self.w = {k.removeprefix("bert."): v for k, v in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()
        try:  # threadpoolctl ships with scikit-learn (a sentence-transformers dependency)
            from threadpoolctl import ThreadpoolController

            self._blas: Any = ThreadpoolController()
        except ImportError:
            self._blas = None

    def encode(self, texts: list[str], threads: int = 1) -> NDArray[np.float32]:
        """Unit vectors for `texts`, each run unpadded; `threads` > 1 spreads texts over
        worker threads (numpy releases the GIL in its products)."""
        import numpy as np

        # One text is a handful of small matrix products: BLAS worker threads only add
        # wake-up latency, and on a busy machine they spin against other processes; bulk
        # work is parallel across texts instead.
        with self._single_blas_thread():
            if threads > 1 and len(texts) > 1:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=threads) as pool:
                    out = list(pool.map(self._encode_one, texts))
            else:
                out = [self._encode_one(text) for text in texts]
        stacked: NDArray[np.float32] = (
            np.stack(out) if out else np.zeros((0, self.config["hidden_size"]), np.float32)
        )
        return stacked

    def _single_blas_thread(self) -> Any:
        import contextlib

        if self._blas is None:
            return contextlib.nullcontext()
        return self._blas.limit(limits=1, user_api="blas")

    def _encode_one(self, text: str) -> NDArray[np.float32]:
        import numpy as np

        enc = self.tokenizer.encode(text)
        ids = np.asarray(enc.ids, dtype=np.int64)
        types = np.asarray(enc.type_ids, dtype=np.int64)
        w, eps = self.w, self.config["layer_norm_eps"]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        for i in range(self.config["num_hidden_layers"]):
            x = self._layer(x, f"encoder.layer.{i}.", eps)
        vec = x.mean(axis=0)  # one unpadded sequence: the mean over all tokens is the mean pool
        if self.normalize:
            vec = vec / max(float(np.linalg.norm(vec)), 1e-12)
        out: NDArray[np.float32] = vec.astype(np.float32)
        return out

    def _layer(self, x: NDArray[np.float32], p: str, eps: float) -> NDArray[np.float32]:
        import numpy as np

        w = self.w
        heads = self.config["num_attention_heads"]
        n, d = x.shape
        hd = d // heads

        def dense(name: str, v: NDArray[np.float32]) -> NDArray[np.float32]:
            out: NDArray[np.float32] = v @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            return out

        q = dense("attention.self.query", x).reshape(n, heads, hd).transpose(1, 0, 2)
        k = dense("attention.self.key", x).reshape(n, heads, hd).transpose(1, 0, 2)
        v = dense("attention.self.value", x).reshape(n, heads, hd).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(n, d)
        x = _layer_norm(
            dense("attention.output.dense", ctx) + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        h = _gelu(dense("intermediate.dense", x))
        return _layer_norm(
            dense("output.dense", h) + x,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            eps,
        )


def _layer_norm(
    x: NDArray[np.float32], g: NDArray[np.float32], b: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: NDArray[np.float32] = (x - mean) / (var + eps) ** 0.5 * g + b
    return out


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    # BERT's exact gelu needs erf, which numpy lacks; Abramowitz–Stegun 7.1.26 is within
    # 1.5e-7 of it, below float32 noise, and avoids importing scipy on the query path.
    import numpy as np

    z = x / math.sqrt(2.0)
    s = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = s * (1.0 - poly * np.exp(-a * a))
    out: NDArray[np.float32] = (0.5 * x * (1.0 + erf)).astype(np.float32)
    return out
