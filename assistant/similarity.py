"""Sentence similarity: the one API for rephrase mining, the feedback signals, the
teachable-moment detector, segmentation and the self-learning pipeline.

A `PairSimilarity` takes pairs of texts and returns one score in 0..1 per pair, in order;
callers that compare one text with several pass one pair per comparison. The implementations:

- `token_similarity`: token-set Jaccard overlap (fast; the stand-in in tests);
- `minilm_similarity`: cosine of the MiniLM embeddings (`pair_cosine` over any encoder);
- `segment_similarity`: MiniLM cosine of the normalized texts, at least their token overlap,
  so a word-for-word repeat is never missed (segmentation and the self-learning pipeline;
  `embedding_similarity` over any encoder).

Each distinct text is embedded once per call (and `assistant.embeddings` keeps recent texts,
so what NLU already embedded this turn costs nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from assistant.text import jaccard, normalize

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Encoder", "PairSimilarity", "embedding_similarity", "minilm_similarity", "pair_cosine",
           "segment_similarity", "token_similarity"]

# Unit-length embeddings of texts, one row each.
Encoder = Callable[[Sequence[str]], "np.ndarray"]


class PairSimilarity(Protocol):
    """How alike each pair of texts is: one score in 0..1 per pair, in order."""

    def __call__(self, pairs: Sequence[tuple[str, str]], /) -> Sequence[float]: ...


def token_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """Token-set Jaccard overlap of each pair (fast; the stand-in in tests)."""
    return [jaccard(a, b) for a, b in pairs]


def pair_cosine(pairs: Sequence[tuple[str, str]], encode: Encoder | None = None,
                batch_size: int = 256, clip: bool = True) -> list[float]:
    """Cosine of each pair's unit embeddings, clipped to 0..1 unless not ``clip`` (MiniLM
    unless ``encode``); ``encode`` is called once, on the distinct texts."""
    import numpy as np

    if not pairs:
        return []
    if encode is None:
        from assistant import embeddings

        def encode(texts: Sequence[str]) -> "np.ndarray":
            return embeddings.encode(texts, batch_size=batch_size)

    texts = sorted({text for pair in pairs for text in pair})
    index = {text: i for i, text in enumerate(texts)}
    vectors = np.asarray(encode(texts), dtype=np.float32)
    left = vectors[[index[a] for a, _ in pairs]]
    right = vectors[[index[b] for _, b in pairs]]
    cosine = np.einsum("ij,ij->i", left, right)
    return (np.clip(cosine, 0.0, 1.0) if clip else cosine).tolist()


def minilm_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """MiniLM cosine of each pair (the project's packaged model), batched over distinct texts."""
    return pair_cosine(pairs)


def embedding_similarity(encode: Encoder) -> PairSimilarity:
    """A `PairSimilarity` over an encoder returning unit vectors (one call for all texts): the
    cosine of the normalized texts, at least their token overlap."""

    def similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
        cosine = pair_cosine([(normalize(a), normalize(b)) for a, b in pairs], encode)
        return [max(c, t) for c, t in zip(cosine, token_similarity(pairs))]

    return similarity


def segment_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """MiniLM cosine of the normalized texts, at least their token overlap (segmentation and
    the self-learning pipeline)."""
    from assistant import embeddings

    return list(embedding_similarity(lambda texts: embeddings.encode(texts, batch_size=256))(pairs))
