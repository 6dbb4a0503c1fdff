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


def _copy_of_minilm(folder):
    import shutil

    shutil.copytree(embeddings.model_path(), folder)
    return folder


def test_an_encoder_folder_replaces_the_packaged_model_and_skips_the_cache(tmp_path, monkeypatch):
    import json

    from safetensors.numpy import load_file, save_file

    folder = _copy_of_minilm(tmp_path / "tuned")
    weights = load_file(str(folder / "model.safetensors"))
    # Another encoder: part of the last layer's output bias moved, so its vectors differ from MiniLM's.
    last = json.loads((folder / "config.json").read_text())["num_hidden_layers"] - 1
    bias = weights[f"encoder.layer.{last}.output.dense.bias"].copy()
    bias[:64] += 2.0
    weights[f"encoder.layer.{last}.output.dense.bias"] = bias
    save_file(weights, str(folder / "model.safetensors"))
    monkeypatch.setenv(VECTOR_CACHE_ENV, f"sqlite:///{tmp_path / 'vectors.db'}")
    config = {**MiniLMFeaturizer.get_default_config(), "encoder_dir": str(folder)}
    MiniLMFeaturizer.validate_config(config)
    data = MiniLMFeaturizer(config, "minilm").process_training_data(_data("dim the lights"))
    tuned = _vector(data.training_examples[0])
    np.testing.assert_allclose(tuned, embeddings.encoder_at(str(folder)).encode(["dim the lights"])[0], atol=1e-6)
    assert not np.allclose(tuned, embeddings.encode(["dim the lights"])[0], atol=1e-3)
    assert not (tmp_path / "vectors.db").exists()


def test_a_missing_encoder_folder_names_itself(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ValueError, match="nowhere"):
        MiniLMFeaturizer.validate_config({**MiniLMFeaturizer.get_default_config(), "encoder_dir": str(missing)})
