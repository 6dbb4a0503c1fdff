"""Intents by a logistic regression over scaled sentence features (no TensorFlow).

Rasa's own `LogisticRegressionClassifier` stacks raw token counts beside the MiniLM
embedding: the counts dwarf the embedding (whose length is 1) and lbfgs stops before it
converges. This component scales each part to unit length first and weighs them
(`dense_weight`, `sparse_weight`), with the regularisation `C` in the config, so it trains
in seconds and its confidence means the same from one training to the next.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)
MODEL_FILE = "linear_intent_classifier.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over [dense * w_d, sparse * w_s], each part unit length."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Weights of the two feature parts, regularisation, iterations, ranking length."""
        return {"dense_weight": 1.0, "sparse_weight": 0.5, "C": 8.0, "max_iter": 500,
                "ranking_length": 10, "random_state": 42}

    @staticmethod
    def required_packages() -> List[Text]:
        """scikit-learn (through Rasa) and joblib."""
        return ["sklearn", "joblib"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def _features(self, messages: List[Message]) -> Any:
        from scipy.sparse import csr_matrix, hstack, vstack
        from sklearn.preprocessing import normalize

        rows = []
        for message in messages:
            sparse = message.get_sparse_features(TEXT)[1]
            dense = message.get_dense_features(TEXT)[1]
            parts = []
            if dense is not None:
                vector = normalize(np.asarray(dense.features, dtype=np.float64).reshape(1, -1))
                parts.append(csr_matrix(vector * self._config["dense_weight"]))
            if sparse is not None:
                counts = csr_matrix(sparse.features, dtype=np.float64)
                parts.append(normalize(counts) * self._config["sparse_weight"])
            if not parts:
                raise ValueError("LinearIntentClassifier needs sentence features: add a featurizer before it")
            rows.append(hstack(parts, format="csr"))
        return vstack(rows, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the intent examples and persist."""
        import joblib
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: the classifier stays untrained.")
            return self._resource
        model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"],
                                   class_weight="balanced", random_state=self._config["random_state"])
        model.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self._model = model
        with self._storage.write_to(self._resource) as folder:
            joblib.dump(model, folder / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        """The persisted classifier; an untrained one (with a warning) when there is none."""
        import joblib

        try:
            with model_storage.read_from(resource) as folder:
                model = joblib.load(folder / MODEL_FILE)
        except (ValueError, FileNotFoundError, OSError) as error:
            logger.warning(f"LinearIntentClassifier found no trained model ({error}); it predicts nothing.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets intent and intent_ranking on each message with text."""
        with_text = [m for m in messages if m.get(TEXT)]
        if self._model is None or not with_text:
            return messages
        probabilities = self._model.predict_proba(self._features(with_text))
        names = self._model.classes_
        for message, row in zip(with_text, probabilities):
            order = np.argsort(-row)
            ranking = [{"name": str(names[i]), "confidence": float(row[i])}
                       for i in order[: self._config["ranking_length"]]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
