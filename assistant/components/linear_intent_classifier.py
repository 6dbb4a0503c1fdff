"""Intents by a logistic regression over scaled sentence features (no TensorFlow).

Rasa's own `LogisticRegressionClassifier` stacks raw token counts beside the MiniLM
embedding: the counts dwarf the embedding (whose length is 1) and lbfgs stops before it
converges. This component scales each part to unit length first and weighs them
(`dense_weight`, `sparse_weight`), with the regularisation `C` in the config, so it trains
in seconds and its confidence means the same from one training to the next.

With `knn_k` above 0, the regression's probabilities are blended (`knn_weight`) with those of
the `knn_k` training examples nearest by the dense part (cosine; each votes exp(cos /
`knn_temperature`) for its intent): a request phrased like a few examples of one intent, unlike
the rest of it, is read by its neighbours; `intent_weights` scale the votes as they do the fit.
Set on SLURP devel and cross-validated on the training data (docs/RESULTS.md, issue 30).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)
MODEL_FILE = "linear_intent_classifier.joblib"
# In each parsed message (not in the parse's output): the intent of the single training example nearest
# by the dense part, which the fallback reads (`assistant.components.scoped_fallback`).
NEAREST_EXAMPLE = "nearest_example_intent"
NEIGHBOURS_FILE = "linear_intent_neighbours.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over [dense * w_d, sparse * w_s], each part unit length."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Weights of the two feature parts, regularisation, iterations, ranking length."""
        return {"dense_weight": 1.0, "sparse_weight": 0.5, "C": 8.0, "max_iter": 500,
                "ranking_length": 10, "random_state": 42, "intent_weights": {},
                "knn_k": 0, "knn_temperature": 0.1, "knn_weight": 0.0}

    @staticmethod
    def required_packages() -> List[Text]:
        """scikit-learn (through Rasa) and joblib."""
        return ["sklearn", "joblib"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None, neighbours: Optional["Neighbours"] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._model = model
        self._neighbours = neighbours

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def _parts(self, messages: List[Message]) -> Tuple[Optional[np.ndarray], Optional[Any]]:
        """The weighed dense part (an array) and sparse part (CSR) of the messages' rows.

        The same sentence features, in the same order, as Rasa's `get_dense_features` and
        `get_sparse_features` combine, without their copies of each message's sequence
        features (half of a retrain's classifier time went there)."""
        from scipy.sparse import csr_matrix, hstack, vstack
        from sklearn.preprocessing import normalize

        dense_rows: List[Optional[np.ndarray]] = []
        sparse_rows: List[List[Any]] = []
        for message in messages:
            features = [f for f in message.features
                        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            dense = [f.features for f in features if f.is_dense()]
            dense_rows.append(np.concatenate(dense, axis=-1).reshape(-1) if dense else None)
            sparse_rows.append([f.features for f in features if f.is_sparse()])
        if not messages or (all(row is None for row in dense_rows) and not any(sparse_rows)):
            raise ValueError("LinearIntentClassifier needs sentence features: add a featurizer before it")
        dense_part = None
        if any(row is not None for row in dense_rows):
            if any(row is None for row in dense_rows):
                raise ValueError("LinearIntentClassifier: some messages have no dense sentence features")
            dense_part = normalize(np.vstack([row for row in dense_rows if row is not None]).astype(np.float64)) * self._config["dense_weight"]
        sparse_part = None
        if any(sparse_rows):
            widths = [[m.shape[1] for m in row] for row in sparse_rows]
            if all(w == widths[0] for w in widths):
                # Stack each featurizer's column block once, rather than one message at a time.
                blocks = [vstack([row[k] for row in sparse_rows], format="csr")
                          for k in range(len(widths[0]))]
                counts = hstack(blocks, format="csr", dtype=np.float64)
            else:
                counts = vstack([hstack(row, format="csr") for row in sparse_rows],
                                format="csr", dtype=np.float64)
            sparse_part = normalize(csr_matrix(counts, dtype=np.float64)) * self._config["sparse_weight"]
        return dense_part, sparse_part

    def _features(self, messages: List[Message]) -> Any:
        """The rows the classifier sees: [dense * w_d, sparse * w_s], one CSR matrix."""
        return _joined(self._parts(messages))

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the intent examples and persist."""
        import joblib
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: the classifier stays untrained.")
            return self._resource
        dense, sparse = self._parts(examples)
        model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"],
                                   class_weight="balanced", random_state=self._config["random_state"])
        labels = [e.get(INTENT) for e in examples]
        if len(set(labels)) > 2:
            fit_multinomial(model, dense, sparse, labels, intent_weights=self._config["intent_weights"])
        else:  # two classes: sklearn's binomial form, which predict_proba expects
            model.fit(self._features(examples), labels)
        self._model = model
        self._neighbours = None
        if self._uses_neighbours() and dense is not None:
            index = {name: i for i, name in enumerate(model.classes_)}
            self._neighbours = Neighbours(dense / self._config["dense_weight"],
                                          np.array([index[label] for label in labels]))
        with self._storage.write_to(self._resource) as folder:
            joblib.dump(model, folder / MODEL_FILE)
            if self._neighbours is not None:
                self._neighbours.save(folder / NEIGHBOURS_FILE)
        return self._resource

    def _uses_neighbours(self) -> bool:
        return int(self._config["knn_k"]) > 0 and float(self._config["knn_weight"]) > 0

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        """The persisted classifier; an untrained one (with a warning) when there is none."""
        import joblib

        neighbours = None
        try:
            with model_storage.read_from(resource) as folder:
                model = joblib.load(folder / MODEL_FILE)
                neighbours = Neighbours.read(folder / NEIGHBOURS_FILE)
        except (ValueError, FileNotFoundError, OSError) as error:
            logger.warning(f"LinearIntentClassifier found no trained model ({error}); it predicts nothing.")
            model = None
        return cls(config, model_storage, resource, model, neighbours)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets intent and intent_ranking on each message with text."""
        with_text = [m for m in messages if m.get(TEXT)]
        if self._model is None or not with_text:
            return messages
        parts = self._parts(with_text)
        probabilities = self._model.predict_proba(_joined(parts))
        if self._neighbours is not None and self._uses_neighbours():
            dense = parts[0]
            if dense is not None:
                votes, nearest = self._neighbours.votes(dense / self._config["dense_weight"],
                                                        len(self._model.classes_), int(self._config["knn_k"]),
                                                        float(self._config["knn_temperature"]))
                for message, label in zip(with_text, nearest):
                    message.set(NEAREST_EXAMPLE, str(self._model.classes_[label]))
                # The intents' weights count in the vote as in the fit ("out of scope" 1.25 times).
                scale = np.array([float(self._config["intent_weights"].get(str(c), 1.0))
                                  for c in self._model.classes_])
                votes = votes * scale
                votes /= votes.sum(axis=1, keepdims=True)
                weight = float(self._config["knn_weight"])
                probabilities = (1.0 - weight) * probabilities + weight * votes
        names = self._model.classes_
        for message, row in zip(with_text, probabilities):
            order = np.argsort(-row)
            ranking = [{"name": str(names[i]), "confidence": float(row[i])}
                       for i in order[: self._config["ranking_length"]]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages


def _joined(parts: Tuple[Optional[np.ndarray], Optional[Any]]) -> Any:
    """The dense and sparse parts side by side, one CSR matrix."""
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(part) if isinstance(part, np.ndarray) else part
                   for part in parts if part is not None], format="csr")


def fit_multinomial(model: Any, dense: Optional[np.ndarray], sparse: Optional[Any],
                    labels: List[Text], intent_weights: Optional[Dict[Text, float]] = None) -> Any:
    """Fit `model` (an unfitted multinomial `LogisticRegression`) on [dense | sparse] rows.

    The objective and stopping rule of scikit-learn's lbfgs solver (balanced class weights,
    L2 of 1/C on the weights, none on the intercepts, L-BFGS-B with `gtol=tol`), computed
    with the dense part as a dense array: scikit-learn sees one sparse matrix and spends
    most of the fit multiplying the MiniLM part (80% of its stored values) as sparse.
    Same minimum, so the same classifier, in a fraction of the time.

    Returns:
        `model`, fitted: `classes_`, `coef_` (dense columns first), `intercept_`, `n_iter_`.
    """
    from scipy.optimize import minimize
    from scipy.special import logsumexp
    from sklearn.utils.class_weight import compute_class_weight

    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    n_classes = len(classes)
    n_dense = 0 if dense is None else dense.shape[1]
    n_sparse = 0 if sparse is None else sparse.shape[1]
    n_rows = len(labels)
    weight = compute_class_weight("balanced", classes=classes, y=np.asarray(labels))[y]
    if intent_weights:   # an intent's balanced weight scaled ({"out_of_scope": 2.0})
        weight = weight * np.array([float(intent_weights.get(str(c), 1.0)) for c in classes])[y]
    alpha = 1.0 / model.C
    rows = np.arange(n_rows)
    sparse_t = None if sparse is None else sparse.T.tocsr()

    def loss_and_gradient(flat: np.ndarray) -> Tuple[float, np.ndarray]:
        w = flat.reshape(n_classes, n_dense + n_sparse + 1)
        w_dense, w_sparse, intercept = w[:, :n_dense], w[:, n_dense:-1], w[:, -1]
        raw = np.broadcast_to(intercept, (n_rows, n_classes)).copy()
        if dense is not None:
            raw += dense @ w_dense.T
        if sparse is not None:
            raw += np.asarray(sparse @ w_sparse.T)
        log_norm = logsumexp(raw, axis=1)
        loss = float(weight @ (log_norm - raw[rows, y]))
        loss += 0.5 * alpha * float(np.sum(w[:, :-1] ** 2))
        per_row = np.exp(raw - log_norm[:, None])
        per_row[rows, y] -= 1.0
        per_row *= weight[:, None]
        grad = np.empty_like(w)
        if dense is not None:
            grad[:, :n_dense] = per_row.T @ dense + alpha * w_dense
        if sparse_t is not None:
            grad[:, n_dense:-1] = np.asarray(sparse_t @ per_row).T + alpha * w_sparse
        grad[:, -1] = per_row.sum(axis=0)
        return loss, grad.ravel()

    start = np.zeros(n_classes * (n_dense + n_sparse + 1))
    result = minimize(loss_and_gradient, start, method="L-BFGS-B", jac=True,
                      options={"gtol": model.tol, "maxiter": model.max_iter})
    if not result.success:
        logger.warning(f"LinearIntentClassifier: lbfgs stopped before converging ({result.message}).")
    w = result.x.reshape(n_classes, n_dense + n_sparse + 1)
    model.classes_ = classes
    model.coef_ = np.ascontiguousarray(w[:, :-1])
    model.intercept_ = w[:, -1].copy()
    model.n_iter_ = np.array([min(result.nit, model.max_iter)], dtype=np.int32)
    model.n_features_in_ = n_dense + n_sparse
    return model


class Neighbours:
    """The training examples' unit-length dense rows and their intents (indexes into the
    classifier's classes), and the vote of the nearest ones."""

    def __init__(self, vectors: np.ndarray, labels: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.int32)

    def votes(self, rows: np.ndarray, n_classes: int, k: int, temperature: float) -> Tuple[np.ndarray, np.ndarray]:
        """Per row, each intent's share of exp(cosine / temperature) over the ``k`` nearest, and the
        intent of the nearest one."""
        similarity = np.asarray(rows, dtype=np.float32) @ self.vectors.T
        k = min(k, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        cosines = np.take_along_axis(similarity, nearest, axis=1).astype(np.float64)
        weights = np.exp((cosines - cosines.max(axis=1, keepdims=True)) / temperature)
        out = np.zeros((len(rows), n_classes))
        np.add.at(out, (np.repeat(np.arange(len(rows)), k), self.labels[nearest].reshape(-1)), weights.reshape(-1))
        return out / out.sum(axis=1, keepdims=True), self.labels[similarity.argmax(axis=1)]

    def save(self, path: Any) -> None:
        np.savez_compressed(path, vectors=self.vectors.astype(np.float16), labels=self.labels)

    @classmethod
    def read(cls, path: Any) -> "Optional[Neighbours]":
        """The stored neighbours; None when there are none, or (with a warning) when the file
        can't be read: the regression alone then answers, as before the vote."""
        import zipfile

        try:
            with np.load(path) as data:
                vectors, labels = data["vectors"].astype(np.float32), data["labels"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            logger.warning(f"LinearIntentClassifier: the nearest examples' file {path} can't be read ({error}); "
                           "intents come from the regression alone. Retrain to rebuild it.")
            return None
        if vectors.ndim != 2 or len(vectors) != len(labels):
            logger.warning(f"LinearIntentClassifier: {path} holds {len(labels)} labels for {len(vectors)} vectors; "
                           "intents come from the regression alone. Retrain to rebuild it.")
            return None
        return cls(vectors, labels)
