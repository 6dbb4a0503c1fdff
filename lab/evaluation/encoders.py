"""The MiniLM encoders side by side, in one run, one thread each: numpy, ONNX fp32, ONNX int8, torch.

    PYTHONPATH=. .venv/bin/python -m lab.evaluation.encoders --texts /work/shared/data/hwu64/hwu64.jsonl

For each: ms per sentence over the texts one at a time (a turn embeds one new text) and in batches
of 64 (training), seconds from a cold process to its first vector, and agreement with
sentence-transformers' torch vectors (largest absolute difference, smallest cosine). The texts are
only encoded, never trained on. int8 is `assistant.minilm_onnx.quantize` (onnxruntime's dynamic
quantization, per channel) of the fp32 file; `--int8-per-tensor` adds onnxruntime's default.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from assistant import embeddings
from assistant.minilm import NumpyMiniLM
from assistant.minilm_onnx import OnnxMiniLM, ensure_onnx, quantize

# The code a cold process runs to its first vector, by encoder (argv[1]: the ONNX file).
_COLD = {
    "numpy": ("from assistant.minilm import NumpyMiniLM; from assistant.embeddings import model_path; "
              "NumpyMiniLM(model_path()).encode(['turn on the light'])"),
    "onnx": ("import sys, pathlib; from assistant.minilm_onnx import OnnxMiniLM; "
             "from assistant.embeddings import model_path; "
             "OnnxMiniLM(pathlib.Path(sys.argv[1]), model_path()).encode(['turn on the light'])"),
    "torch": ("import torch; torch.set_num_threads(1); from sentence_transformers import SentenceTransformer; "
              "from assistant.embeddings import model_path; "
              "SentenceTransformer(str(model_path()), device='cpu').encode(['turn on the light'])"),
}


def read_texts(path: Path, count: int) -> list[str]:
    """The first ``count`` distinct sentences of a JSONL file with a "sentence" or "text" field."""
    texts: dict[str, None] = {}
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            texts[str(row.get("sentence") or row.get("text") or "")] = None
            if len(texts) >= count:
                break
    return list(texts)


def _timed(encode: Callable[[Sequence[str]], np.ndarray], texts: list[str], batch: int) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    parts = [encode(texts[i:i + batch]) for i in range(0, len(texts), batch)]
    return (time.perf_counter() - started) * 1000 / len(texts), np.concatenate(parts)


def _cold(kind: str, onnx_path: Path, repeats: int) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _COLD[kind], str(onnx_path)], env=env, check=True,
                       capture_output=True)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def run(texts: list[str], onnx_path: Path, int8: dict[str, Path], cold_repeats: int) -> list[dict[str, Any]]:
    """One row per encoder: ms per sentence (single, batch 64), cold start, agreement with torch."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    reference = SentenceTransformer(str(embeddings.model_path()), device="cpu")

    def torch_encode(batch: Sequence[str]) -> np.ndarray:
        return np.asarray(reference.encode(list(batch), normalize_embeddings=True, convert_to_numpy=True,
                                           show_progress_bar=False, batch_size=64))

    encoders: list[tuple[str, str, Callable[[Sequence[str]], np.ndarray], Path]] = [
        ("numpy", "numpy", NumpyMiniLM(embeddings.model_path()).encode, onnx_path),
        ("ONNX fp32", "onnx", OnnxMiniLM(onnx_path, embeddings.model_path()).encode, onnx_path),
    ]
    for name, path in int8.items():
        encoders.append((name, "onnx", OnnxMiniLM(path, embeddings.model_path()).encode, path))
    encoders.append(("torch (sentence-transformers)", "torch", torch_encode, onnx_path))
    _, truth = _timed(torch_encode, texts, 64)
    rows = []
    for name, kind, encode, path in encoders:
        encode(texts[:8])   # warm: first-call allocations are the cold start's, not a turn's
        single, vectors = _timed(encode, texts, 1)
        batched, _ = _timed(encode, texts, 64)
        cosine = np.sum(vectors * truth, axis=1) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(truth, axis=1))
        rows.append({"encoder": name, "ms_per_sentence": round(single, 2), "ms_per_sentence_batch64": round(batched, 2),
                     "cold_first_vector_s": round(_cold(kind, path, cold_repeats), 2),
                     "max_abs_diff": float(np.abs(vectors - truth).max()), "min_cosine": float(cosine.min())})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, required=True, help="JSONL of sentences to encode (HWU64)")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--cold-repeats", type=int, default=3)
    parser.add_argument("--no-int8", action="store_true")
    parser.add_argument("--int8-per-tensor", action="store_true", help="also onnxruntime's default int8 (per tensor)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    onnx_path = ensure_onnx(embeddings.model_path())
    if onnx_path is None:
        print("no ONNX file could be made (see the warning above)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="minilm-int8-") as scratch:
        int8: dict[str, Path] = {}
        if not args.no_int8:
            int8["ONNX int8 (per channel)"] = Path(scratch) / "minilm-int8.onnx"
            quantize(onnx_path, int8["ONNX int8 (per channel)"])
        if args.int8_per_tensor:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            int8["ONNX int8 (per tensor)"] = Path(scratch) / "minilm-int8-tensor.onnx"
            quantize_dynamic(str(onnx_path), str(int8["ONNX int8 (per tensor)"]), weight_type=QuantType.QInt8)
        rows = run(read_texts(args.texts, args.count), onnx_path, int8, args.cold_repeats)
    numpy_ms = rows[0]["ms_per_sentence"]
    print(f"{'encoder':<31}{'ms/sentence':>12}{'x numpy':>9}{'ms/s b64':>10}{'cold s':>8}{'max|diff|':>11}{'min cos':>10}")
    for row in rows:
        print(f"{row['encoder']:<31}{row['ms_per_sentence']:>12.2f}{numpy_ms / row['ms_per_sentence']:>9.2f}"
              f"{row['ms_per_sentence_batch64']:>10.2f}{row['cold_first_vector_s']:>8.2f}"
              f"{row['max_abs_diff']:>11.2e}{row['min_cosine']:>10.6f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
