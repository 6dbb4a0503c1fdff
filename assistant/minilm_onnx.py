"""MiniLM through ONNX Runtime: the packaged weights, exported once by this project to an ONNX file.

The graph is sentence-transformers' own model (the transformers BERT, mean pooling, unit length),
traced by `torch.onnx.export` from the packaged safetensors: nothing is downloaded, and the file is
checked against torch's vectors before it is kept. Running it needs only onnxruntime (the TTS brings
it) and the tokenizers library, so a process that embeds never imports torch. Made by `make setup`
and `assistant train` when missing (`ensure_onnx`); while it is missing, the numpy encoder
(`assistant.minilm`) gives the same vectors.

sentence-transformers' own ONNX backend (`backend="onnx"`) needs `optimum`, which does not install
beside Rasa 3.6's pins (optimum-onnx wants transformers < 4.58, the project has 5.3; the optimum that
resolves, 1.17, does not import with transformers 5), and it imports torch.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

logger = logging.getLogger(__name__)

# Where the exported file goes: $ASSISTANT_ENCODER_DIR, else beside the venv's packages (it is
# derived from them, like a compiled file; one per install, found by every process).
ENCODER_DIR_ENV = "ASSISTANT_ENCODER_DIR"
# Bumped when the exported graph changes, so an older file is not used.
EXPORT_VERSION = 1
# The largest difference from torch's vectors an exported file may have to be kept.
TOLERANCE = 1e-5
_PROBES = ("turn on the kitchen light", "", "été à Zürich: 東京 weather 🌧", "x " * 300,
           "could you dim lamp number 7 to 21 percent")


def encoder_dir() -> Path:
    """The folder that holds the exported ONNX file."""
    return Path(os.environ.get(ENCODER_DIR_ENV) or Path(sys.prefix) / "share" / "smarthome-assistant")


def onnx_file(folder: Path) -> Path:
    """The ONNX file made from the model in ``folder``: named after its weights' size and time, so
    reinstalled or changed weights get a new export."""
    stat = (folder / "model.safetensors").stat()
    return encoder_dir() / f"minilm-v{EXPORT_VERSION}-{stat.st_size}-{stat.st_mtime_ns}.onnx"


def int8_file(folder: Path) -> Path:
    """The int8 copy of `onnx_file` (opt-in: $ASSISTANT_MINILM=int8; see `quantize`)."""
    plain = onnx_file(folder)
    return plain.with_name(plain.stem + "-int8.onnx")


class OnnxMiniLM:
    """The MiniLM sentence encoder from an exported ONNX file and the model folder's tokenizer.

    Sentences of one token count are run together, as in the numpy encoder (no padding), on one
    thread: a second thread spins and costs the other processes on 2 cores more than it saves.
    """

    def __init__(self, path: Path, folder: Path) -> None:
        import onnxruntime as ort

        from assistant.minilm import SentenceTokens

        self._tokens = SentenceTokens(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._width = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), 384), float32."""
        out = np.zeros((len(texts), self._width), dtype=np.float32)
        if not len(texts):
            return out
        for indices, batch in self._tokens.by_length(texts):
            out[indices] = self._session.run(None, {"input_ids": batch, "attention_mask": np.ones_like(batch)})[0]
        return out


def ensure_onnx(folder: Path) -> Path | None:
    """The ONNX file for ``folder``, exported now when missing (about 15 s: imports torch).

    None when it cannot be made (no torch or onnx here, a read-only folder, vectors off torch's):
    the numpy encoder stands in, and the reason is logged."""
    return _made(onnx_file(folder), lambda target: export(folder, target), "MiniLM stays on numpy: no ONNX export")


def ensure_int8(folder: Path) -> Path | None:
    """The int8 file for ``folder``, quantized now from the fp32 export when missing (a few
    seconds); None when it cannot be made (the reason is logged)."""
    target = int8_file(folder)
    if target.is_file():
        return target
    plain = ensure_onnx(folder)
    if plain is None:
        return None
    return _made(target, lambda made: quantize(plain, made), "MiniLM int8: no quantized file")


def _made(target: Path, make: Callable[[Path], object], failure: str) -> Path | None:
    """``target``, made by ``make`` when missing; None (and ``failure`` logged with the reason) when
    that fails, which leaves the encoder before it in use."""
    if target.is_file():
        return target
    try:
        make(target)
    except Exception as error:  # any failure leaves the previous encoder in use
        logger.warning("%s (%s: %s)", failure, type(error).__name__, error)
        return None
    return target


def quantize(source: Path, target: Path) -> None:
    """onnxruntime's dynamic int8 quantization of ``source``: weights per output channel with
    7-bit range. The default (per tensor) gave a smallest cosine to torch's vectors of 0.77 on
    1,000 HWU64 sentences; this one 0.94 (mean 0.98), at about the same speed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8, per_channel=True,
                         reduce_range=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def export(folder: Path, target: Path) -> float:
    """Export the model in ``folder`` to ``target`` with torch; returns the largest difference
    from torch's own vectors on a few probe sentences (over `TOLERANCE`: nothing is written)."""
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(str(folder)).eval()
    pooled = _pooled_class()(bert).eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    example = torch.tensor([[101, 7592, 102]])
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"}}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(pooled, (example, torch.ones_like(example)), str(partial),
                              input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                              dynamic_axes=axes, opset_version=17, dynamo=False)
        difference = _difference(partial, folder, pooled)
        if difference > TOLERANCE:
            raise ValueError(f"the exported MiniLM is {difference:.2g} off torch's vectors")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return difference


def _difference(path: Path, folder: Path, pooled: Any) -> float:
    import torch

    from assistant.minilm import SentenceTokens

    ours = OnnxMiniLM(path, folder).encode(_PROBES)
    theirs = np.zeros_like(ours)
    with torch.no_grad():
        for indices, batch in SentenceTokens(folder).by_length(_PROBES):
            ids = torch.from_numpy(batch)
            theirs[indices] = pooled(ids, torch.ones_like(ids)).numpy()
    return float(np.abs(ours - theirs).max())


def _pooled_class() -> Any:
    import torch

    class Pooled(torch.nn.Module):
        """sentence-transformers' MiniLM: BERT, the mean over the attended tokens, unit length."""

        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled
