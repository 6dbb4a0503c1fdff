"""Pair similarity: token overlap, and cosine with each distinct text embedded once."""

from __future__ import annotations

import numpy as np

from assistant.similarity import pair_cosine, token_similarity


def test_token_overlap_of_each_pair() -> None:
    assert token_similarity([("play jazz", "play jazz now"), ("a", "b")]) == [2 / 3, 0.0]


def test_cosine_embeds_each_distinct_text_once_and_clips_to_zero() -> None:
    seen: list[list[str]] = []
    vectors = {"a": [1.0, 0.0], "b": [0.6, 0.8], "c": [-1.0, 0.0]}

    def encode(texts):
        seen.append(list(texts))
        return np.array([vectors[t] for t in texts])

    scores = pair_cosine([("a", "b"), ("b", "a"), ("a", "c")], encode)
    assert seen == [["a", "b", "c"]]
    assert np.allclose(scores, [0.6, 0.6, 0.0])
    assert pair_cosine([], encode) == [] and len(seen) == 1


def test_one_pair_similarity_for_every_caller() -> None:
    from assistant.learning import feedback, mining, rephrase
    from assistant.similarity import minilm_similarity

    assert feedback.minilm_similarity is mining.minilm_similarity is rephrase.minilm_similarity is minilm_similarity


def test_embedding_similarity_is_the_normalized_cosine_at_least_the_overlap() -> None:
    from assistant.similarity import embedding_similarity

    vectors = {"play jazz": [1.0, 0.0], "play jazz now": [0.0, 1.0], "music": [0.6, 0.8]}
    similarity = embedding_similarity(lambda texts: np.array([vectors[t] for t in texts]))
    assert np.allclose(similarity([("Play jazz!", "play jazz now"), ("play jazz", "music")]), [2 / 3, 0.6])


def test_cosine_unclipped_keeps_the_sign() -> None:
    encode = lambda texts: np.array([{"a": [1.0, 0.0], "c": [-1.0, 0.0]}[t] for t in texts])  # noqa: E731
    assert pair_cosine([("a", "c"), ("a", "a")], encode, clip=False) == [-1.0, 1.0]
