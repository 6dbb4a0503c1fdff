"""The shared embedding function: recent texts are embedded once."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import embeddings


class CountingModel:
    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def encode(self, texts, **_kwargs):
        self.seen.append(list(texts))
        return np.array([[float(len(t))] + [0.0] * 383 for t in texts])


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> CountingModel:
    fake = CountingModel()
    monkeypatch.setattr(embeddings, "model", lambda: fake)
    monkeypatch.setattr(embeddings, "_cache", type(embeddings._cache)())
    return fake


def test_each_text_is_embedded_once_and_order_is_kept(model: CountingModel) -> None:
    first = embeddings.encode(["a", "bb", "a"])
    second = embeddings.encode(["bb", "ccc"])
    assert model.seen == [["a", "bb"], ["ccc"]]
    assert first[:, 0].tolist() == [1.0, 2.0, 1.0] and second[:, 0].tolist() == [2.0, 3.0]
    assert first.dtype == np.float32 and first.shape == (3, 384)


def test_the_cache_keeps_only_the_most_recent_texts(model: CountingModel, monkeypatch) -> None:
    monkeypatch.setattr(embeddings, "CACHE_SIZE", 2)
    embeddings.encode(["a", "b"])
    embeddings.encode(["a"])          # a is now the most recent
    embeddings.encode(["c"])          # evicts b
    embeddings.encode(["a", "b"])
    assert model.seen == [["a", "b"], ["c"], ["b"]]


def test_nothing_to_embed_is_an_empty_matrix(model: CountingModel) -> None:
    assert embeddings.encode([]).shape == (0, 384) and model.seen == []


def test_large_inputs_go_through_the_model_in_batches(model: CountingModel) -> None:
    texts = [f"t{i}" for i in range(130)]
    out = embeddings.encode(texts, batch_size=64)
    assert [len(batch) for batch in model.seen] == [64, 64, 2]
    assert out[:, 0].tolist() == [float(len(t)) for t in texts]
