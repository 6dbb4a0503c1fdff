"""MiniLM (the packaged all-MiniLM-L6-v2: a 6-layer BERT, mean pooling, unit length) in numpy: the fallback
when the ONNX file (`assistant.minilm_onnx`) is missing, with the same vectors.

The same weights, tokenizer and arithmetic as sentence-transformers, without importing torch,
transformers and sentence-transformers: those cost about 10 s before the first vector on 2
cores (the critical path of `assistant chat`'s start), this about 0.1 s. Equal to the
sentence-transformers vectors to 1e-6 (a test compares them); about as fast, on one BLAS
thread: 15 ms a sentence here (torch 16 ms), 1,000 HWU64 rows in 4.5 s (torch 4.6 s).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np


class SentenceTokens:
    """MiniLM's tokenizer as sentence-transformers sets it up (its case and length limits, no padding),
    grouping sentences of one token count so they run together without an attention mask."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        limits = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self._lower = bool(limits.get("do_lower_case", False))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=int(limits["max_seq_length"]))

    def by_length(self, texts: Sequence[str]) -> List[Tuple[List[int], np.ndarray]]:
        """(the texts' positions, their token ids: shape (len(positions), token count)) per token count."""
        cleaned = [str(t).strip() for t in texts]
        if self._lower:
            cleaned = [t.lower() for t in cleaned]
        ids = [e.ids for e in self._tokenizer.encode_batch(cleaned)]
        groups: Dict[int, List[int]] = {}
        for index, row in enumerate(ids):
            groups.setdefault(len(row), []).append(index)
        return [(indices, np.array([ids[i] for i in indices], dtype=np.int64)) for indices in groups.values()]


class NumpyMiniLM:
    """The MiniLM sentence encoder over a sentence-transformers model folder.

    Sentences of one token count are run together, so no padding or attention mask is needed.
    """

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._w = load_file(str(folder / "model.safetensors"))
        self._tokens = SentenceTokens(folder)
        self._threads: Any = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), 384), float32."""
        out = np.zeros((len(texts), self._w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        if not len(texts):
            return out
        with self._one_blas_thread():
            for indices, batch in self._tokens.by_length(texts):
                out[indices] = self._forward(batch).mean(axis=1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _one_blas_thread(self) -> Any:
        # One BLAS thread: OpenBLAS's second thread spins, so a sentence took 12 ms of wall
        # time but 24 ms of CPU on 2 cores (one thread: 15 and 16 ms); on a busy machine (the
        # action server, a second server process, CI) the spinning costs far more. torch was
        # held to one thread for the same reason.
        if self._threads is None:
            from threadpoolctl import ThreadpoolController

            self._threads = ThreadpoolController()
        return self._threads.limit(limits=1, user_api="blas")

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        from scipy.special import erf

        w = self._w
        batch, length = ids.shape
        hidden = (w["embeddings.word_embeddings.weight"][ids]
                  + w["embeddings.position_embeddings.weight"][:length]
                  + w["embeddings.token_type_embeddings.weight"][0])
        hidden = self._norm(hidden, "embeddings.LayerNorm")
        width = hidden.shape[-1]
        size = width // self._heads
        for layer in range(self._layers):
            name = f"encoder.layer.{layer}."

            def heads(part: str) -> np.ndarray:
                projected = self._dense(hidden, f"{name}attention.self.{part}")
                return projected.reshape(batch, length, self._heads, size).transpose(0, 2, 1, 3)

            scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.float32(np.sqrt(size))
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ heads("value")).transpose(0, 2, 1, 3).reshape(batch, length, width)
            hidden = self._norm(self._dense(context, f"{name}attention.output.dense") + hidden,
                                f"{name}attention.output.LayerNorm")
            inner = self._dense(hidden, f"{name}intermediate.dense")
            inner = inner * np.float32(0.5) * (np.float32(1.0) + erf(inner / np.float32(np.sqrt(2.0))))
            hidden = self._norm(self._dense(inner, f"{name}output.dense") + hidden,
                                f"{name}output.LayerNorm")
        return hidden

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # As one 2-D product: numpy runs a 3-D one without BLAS, ten times slower.
        weight = self._w[f"{name}.weight"]
        flat = np.dot(x.reshape(-1, x.shape[-1]), weight.T) + self._w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[0])

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + np.float32(self._eps)) * self._w[f"{name}.weight"] \
            + self._w[f"{name}.bias"]
