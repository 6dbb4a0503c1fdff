"""Text similarity shared by rephrase mining, the feedback signals and analytics.

A `PairSimilarity` takes pairs of texts and returns one score in 0..1 per pair; each distinct
text is embedded once (and `assistant.embeddings` keeps recent texts, so what NLU already
embedded this turn costs nothing).
"""

from __future__ import annotations

from typing import Callable, Sequence

from assistant.text import jaccard

PairSimilarity = Callable[[Sequence[tuple[str, str]]], list[float]]
Encoder = Callable[[Sequence[str]], "object"]


def token_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """Token-set Jaccard overlap of each pair (fast; the stand-in in tests)."""
    return [jaccard(a, b) for a, b in pairs]


def pair_cosine(pairs: Sequence[tuple[str, str]], encode: Encoder | None = None,
                batch_size: int = 256) -> list[float]:
    """Cosine of each pair's unit embeddings, clipped to 0..1 (MiniLM unless ``encode``)."""
    import numpy as np

    if not pairs:
        return []
    if encode is None:
        from assistant import embeddings

        def encode(texts: Sequence[str]) -> "object":
            return embeddings.encode(texts, batch_size=batch_size)

    texts = sorted({text for pair in pairs for text in pair})
    index = {text: i for i, text in enumerate(texts)}
    vectors = np.asarray(encode(texts), dtype=np.float32)
    left = vectors[[index[a] for a, _ in pairs]]
    right = vectors[[index[b] for _, b in pairs]]
    return np.clip(np.einsum("ij,ij->i", left, right), 0.0, 1.0).tolist()


def minilm_cosine(a: str, b: str) -> float:
    """MiniLM cosine of two texts."""
    return pair_cosine([(a, b)])[0]
