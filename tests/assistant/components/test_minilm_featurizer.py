"""The MiniLM featurizer: sentence features, and the training vector cache a retrain reads."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant import embeddings
from assistant.components.minilm_featurizer import VECTOR_CACHE_ENV, MiniLMFeaturizer


def _featurizer() -> MiniLMFeaturizer:
    return MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config()}, "minilm")


def _data(*texts: str) -> TrainingData:
    return TrainingData([Message(data={TEXT: t, "intent": "greet"}) for t in texts])


def _vector(message: Message) -> np.ndarray:
    return message.get_dense_features(TEXT)[1].features.reshape(-1)


def test_training_vectors_come_from_the_cache_and_equal_fresh_ones(tmp_path, monkeypatch):
    monkeypatch.setenv(VECTOR_CACHE_ENV, f"sqlite:///{tmp_path / 'vectors.db'}")
    calls: list[list[str]] = []
    lean = embeddings.model()
    real = lean.encode

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(lean, "encode", counting)
    first = _featurizer().process_training_data(_data("turn on the lamp", "play some jazz"))
    again = _featurizer().process_training_data(_data("turn on the lamp", "play some jazz", "hello there"))
    # The retrain embedded only the new example; the cached vectors are the ones computed.
    assert calls == [["turn on the lamp", "play some jazz"], ["hello there"]]
    for old, new in zip(first.training_examples, again.training_examples):
        np.testing.assert_allclose(_vector(old), _vector(new), atol=1e-6)
    fresh = embeddings.encode(["hello there"])[0]
    np.testing.assert_allclose(_vector(again.training_examples[2]), fresh, atol=1e-5)


def test_without_a_cache_every_example_is_embedded(monkeypatch):
    monkeypatch.delenv(VECTOR_CACHE_ENV, raising=False)
    data = _featurizer().process_training_data(_data("open the garage"))
    assert _vector(data.training_examples[0]).shape == (embeddings.DIMENSIONS,)


def test_an_unreadable_cache_still_featurizes(tmp_path, monkeypatch):
    broken = tmp_path / "vectors.db"
    broken.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv(VECTOR_CACHE_ENV, f"sqlite:///{broken}")
    data = _featurizer().process_training_data(_data("lock the front door"))
    assert _vector(data.training_examples[0]).shape == (embeddings.DIMENSIONS,)


@pytest.mark.parametrize("text", ["", None])
def test_messages_without_text_get_no_features(text, tmp_path, monkeypatch):
    monkeypatch.setenv(VECTOR_CACHE_ENV, f"sqlite:///{tmp_path / 'vectors.db'}")
    data = TrainingData([Message(data={TEXT: text} if text is not None else {})])
    out = _featurizer().process_training_data(data)
    assert out.training_examples[0].get_dense_features(TEXT)[1] is None


def test_training_needs_no_torch_to_check_its_packages():
    from rasa.utils.common import find_unavailable_packages

    packages = MiniLMFeaturizer.required_packages()
    assert not {"sentence_transformers", "torch", "transformers"} & set(packages)
    assert find_unavailable_packages(packages) == set()
