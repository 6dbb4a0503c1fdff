"""Pairwise text similarity for segmentation, batched: each distinct text is embedded once.

A `PairSimilarity` takes pairs of texts and returns one score in 0..1 per pair. Tests pass
`token_similarity`; the analyzer passes `minilm_similarity` (MiniLM cosine, at least the
token overlap so a word-for-word repeat is never missed).
"""

from __future__ import annotations

from typing import Sequence

from assistant.similarity import Encoder, PairSimilarity, pair_cosine, token_similarity
from assistant.text import normalize

__all__ = ["Encoder", "PairSimilarity", "embedding_similarity", "minilm_similarity", "token_similarity"]


def embedding_similarity(encode: Encoder) -> PairSimilarity:
    """A `PairSimilarity` over an encoder returning unit vectors (one call for all texts): the
    cosine of the normalized texts, at least their token overlap."""

    def similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
        cosine = pair_cosine([(normalize(a), normalize(b)) for a, b in pairs], encode)
        return [max(c, t) for c, t in zip(cosine, token_similarity(pairs))]

    return similarity


def minilm_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """MiniLM cosine (the project's packaged model), batched over distinct texts."""
    from assistant import embeddings

    return embedding_similarity(lambda texts: embeddings.encode(texts, batch_size=256))(pairs)
