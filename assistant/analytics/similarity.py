"""Pairwise text similarity for segmentation, batched: each distinct text is embedded once.

A `PairSimilarity` takes pairs of texts and returns one score in 0..1 per pair. Tests pass
`token_similarity`; the analyzer passes `minilm_similarity` (MiniLM cosine, at least the
token overlap so a word-for-word repeat is never missed).
"""

from __future__ import annotations

from typing import Callable, Sequence

from assistant.learning.text import jaccard, normalize

PairSimilarity = Callable[[Sequence[tuple[str, str]]], list[float]]
Encoder = Callable[[Sequence[str]], "object"]


def token_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """Token-set Jaccard overlap of each pair."""
    return [jaccard(a, b) for a, b in pairs]


def embedding_similarity(encode: Encoder) -> PairSimilarity:
    """A `PairSimilarity` over an encoder returning unit vectors (one call for all texts)."""

    def similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
        import numpy as np

        if not pairs:
            return []
        keys = sorted({normalize(t) for pair in pairs for t in pair})
        index = {key: i for i, key in enumerate(keys)}
        vectors = np.asarray(encode(keys), dtype=np.float32)
        left = vectors[[index[normalize(a)] for a, _ in pairs]]
        right = vectors[[index[normalize(b)] for _, b in pairs]]
        cosine = np.clip((left * right).sum(axis=1), 0.0, 1.0)
        overlap = np.asarray(token_similarity(pairs), dtype=np.float32)
        return np.maximum(cosine, overlap).tolist()

    return similarity


def minilm_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """MiniLM cosine (the project's packaged model), batched over distinct texts."""
    from assistant.embeddings import encode

    return embedding_similarity(lambda texts: encode(texts, batch_size=256))(pairs)
