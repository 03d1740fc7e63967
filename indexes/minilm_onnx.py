"""The bundled MiniLM (or any local BERT mean-pooling model) run by ONNX Runtime.

Why: on two shared cores sentence-transformers embeds the demo's chunks at a few per second;
ONNX Runtime runs the same graph with fused kernels and, in int8, quantised MatMuls (figures
and the command in BENCHMARKS.md, "Embedding runtimes"). The graph (exported once by
`onnx_export`) already pools and normalises, so a run returns unit sentence vectors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexes.onnx_export import INPUTS, Variant, ensure_model

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

BATCH = 32  # texts per run: larger batches pad more and gain nothing on two cores


class OnnxMiniLM:
    """Encodes texts like `SentenceTransformer.encode(..., normalize_embeddings=True)`."""

    def __init__(
        self, model_dir: Path, variant: Variant, max_seq_length: int = 256, threads: int = 1
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = ensure_model(model_dir, variant)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initialisers are noise here
        self.session: Any = ort.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()
        self.dim = int(self.session.get_outputs()[0].shape[1] or 0)

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Unit vectors for `texts`, in order; texts of similar length share a batch so
        little padding is computed."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: NDArray[np.float32] | None = None
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encodings[i].ids) for i in rows)
            # Padded positions are masked out of attention and pooling, so their id does not
            # change an fp32 vector; it does change int8's, whose activations are quantised
            # per batch: [PAD]'s rarely trained embedding is an outlier that coarsens the
            # scale (cosine to the unpadded vector 0.98), the start token is not (0.999).
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                seq = encodings[i].ids
                ids[r, :] = seq[0] if seq else 0
                ids[r, : len(seq)] = seq
                mask[r, : len(seq)] = 1
            feeds = dict(zip(INPUTS, (ids, mask, np.zeros_like(ids)), strict=True))
            vecs = np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)
            if out is None:
                out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
            out[rows] = vecs
        if out is None:
            return np.zeros((0, self.dim), dtype=np.float32)
        return out
