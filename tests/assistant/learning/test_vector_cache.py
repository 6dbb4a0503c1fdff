"""The vector cache embeds each utterance once across mining runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.db import create_engine
from assistant.learning.vector_cache import VectorCache


class CountingEncoder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts):
        self.seen.extend(texts)
        vectors = np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_each_text_is_embedded_once_across_caches(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'v.db'}")
    encoder = CountingEncoder()
    first = VectorCache(engine, encoder, dimensions=3)
    scores = first.similarity([("play jazz", "play jazz"), ("play jazz", "banana")])
    assert scores[0] == pytest.approx(1.0) and scores[1] < 1.0
    assert sorted(encoder.seen) == ["banana", "play jazz"]
    second = VectorCache(engine, encoder, dimensions=3)
    assert second.similarity([("banana", "play jazz"), ("banana", "stop")]) == pytest.approx(
        [scores[1], float(CountingEncoder()(["banana"])[0] @ CountingEncoder()(["stop"])[0])])
    assert sorted(encoder.seen) == ["banana", "play jazz", "stop"]
    assert (second.hits, second.computed) == (2, 1)
    assert VectorCache(engine, encoder, dimensions=3).similarity([]) == []


def test_a_vector_of_another_size_is_recomputed(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'v.db'}")
    VectorCache(engine, CountingEncoder(), dimensions=3).vectors(["play jazz"])
    encoder = CountingEncoder()
    wider = VectorCache(engine, lambda texts: np.ones((len(texts), 4), dtype=np.float32) / 2, dimensions=4)
    assert wider.vectors(["play jazz"]).shape == (1, 4)
    assert encoder.seen == []


def test_an_unusable_database_still_gives_vectors() -> None:
    class Broken:
        def connect(self):
            raise RuntimeError("no database")

        begin = connect

    cache = VectorCache(Broken(), CountingEncoder(), dimensions=3)
    assert cache.similarity([("a", "a")]) == pytest.approx([1.0])
