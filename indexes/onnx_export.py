"""Export a local sentence-transformers BERT model (mean pooling, normalised) to ONNX, once,
into a cache folder; optionally an int8 copy by dynamic quantisation.

The export needs torch (≈ 850 MB resident while it runs), so it runs in a child process
(`python -m indexes.onnx_export`): the indexing process itself only ever loads ONNX Runtime.
Concurrent first uses (two `lablens index` runs, a search) serialise on an `fcntl` lock in
the cache folder; files appear by atomic rename, so a reader never sees half a model.
Nothing is downloaded: the weights are the local folder's.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from tools.errors import IndexingError

Variant = Literal["fp32", "int8"]
EXPORT_VERSION = "1"  # bump when the exported graph (inputs, pooling, opset) changes
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_root() -> Path:
    """`LABLENS_CACHE_DIR`, else `$XDG_CACHE_HOME/lablens`, else `~/.cache/lablens`."""
    explicit = os.environ.get("LABLENS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "lablens"


def model_fingerprint(model_dir: Path) -> str:
    """A short key for the model's weights and config, cheap enough for every query: the
    config's bytes and the weights' size and mtime (hashing 90 MB would cost a cold search
    a quarter of a second)."""
    weights = (model_dir / "model.safetensors").stat()
    h = hashlib.sha256()
    h.update((model_dir / "config.json").read_bytes())
    h.update(f"{weights.st_size}:{weights.st_mtime_ns}:{EXPORT_VERSION}:{OPSET}".encode())
    return h.hexdigest()[:16]


def model_file(model_dir: Path, variant: Variant, root: Path | None = None) -> Path:
    """Where the exported `variant` of `model_dir` lives (it may not exist yet)."""
    folder = (root or cache_root()) / "onnx" / f"{model_dir.name}-{model_fingerprint(model_dir)}"
    return folder / f"model-{variant}.onnx"


def ensure_model(
    model_dir: Path,
    variant: Variant,
    *,
    root: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """The exported ONNX file for `model_dir`, exporting it first if the cache lacks it."""
    target = model_file(model_dir, variant, root)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    say = progress or _stderr_line
    fd = os.open(target.parent / "export.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process may be exporting: wait for it
        if target.is_file():
            return target
        say(
            f"Preparing the ONNX {variant} copy of {model_dir.name} in {target.parent} "
            "(once per machine, about a minute)…"
        )
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "indexes.onnx_export", str(model_dir), str(target), variant],
            capture_output=True,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": _import_path()},
            check=False,
        )
        if proc.returncode != 0 or not target.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise IndexingError(
                f"Exporting {model_dir.name} to ONNX failed: {' / '.join(tail) or 'no output'}",
                hint='Set [embeddings] runtime = "torch" to embed with sentence-transformers.',
            )
        say(f"ONNX {variant} model ready ({time.perf_counter() - started:.0f} s).")
        return target
    finally:
        os.close(fd)


def _stderr_line(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _import_path() -> str:
    # The child must import this same lablens (a worktree or an installed wheel).
    here = str(Path(__file__).resolve().parents[1])
    rest = os.environ.get("PYTHONPATH")
    return here if not rest else here + os.pathsep + rest


def export(model_dir: Path, target: Path, variant: Variant) -> None:
    """Write `target` (fp32, or int8 made from the fp32 file, exporting that first)."""
    fp32 = target.with_name("model-fp32.onnx")
    if not fp32.is_file():
        _export_fp32(model_dir, fp32)
    if variant == "int8":
        _quantise(fp32, target)
    meta = {"model": str(model_dir), "export_version": EXPORT_VERSION, "opset": OPSET}
    (target.parent / "export.json").write_text(json.dumps(meta, indent=2))


def _export_fp32(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    class MeanPooled(torch.nn.Module):
        """The model plus sentence-transformers' mean pooling and normalisation, so the
        graph's output is the sentence vector itself."""

        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weight = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    model = MeanPooled(AutoModel.from_pretrained(str(model_dir)).eval())
    sample = tuple(torch.ones(2, 8, dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    with torch.no_grad():
        torch.onnx.export(
            model,
            sample,
            str(tmp),
            input_names=list(INPUTS),
            output_names=["sentence_embedding"],
            dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and handles BERT
        )
    os.replace(tmp, target)


def _quantise(fp32: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    # Per-channel weights on the MatMuls only: measured on demo chunks, cosine to fp32 is
    # min 0.987 / mean 0.993 this way, against 0.81 / 0.92 per-tensor (embeddings, attention
    # glue and LayerNorm stay fp32).
    quantize_dynamic(
        str(fp32),
        str(tmp),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    os.replace(tmp, target)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export a local MiniLM folder to ONNX.")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("variant", choices=["fp32", "int8"])
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.WARNING)  # the quantiser's pre-processing advice
    export(args.model_dir, args.target, args.variant)


if __name__ == "__main__":
    main()
