"""The linear intent classifier: its own lbfgs fit is scikit-learn's, its rows are Rasa's."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from assistant.components.linear_intent_classifier import LinearIntentClassifier, fit_multinomial

INTENTS = ("greet", "lights_on", "play_music", "weather")


def _message(rng: np.random.Generator, intent: str, index: int) -> Message:
    """A message with what the pipeline gives it: sequence and sentence features of two
    sparse featurizers and one dense one, the intent's signal in a few columns."""
    message = Message(data={TEXT: f"{intent} example {index}", INTENT: intent})
    signal = INTENTS.index(intent)
    for origin, width in (("words", 30), ("chars", 50)):
        tokens = sp.coo_matrix(rng.integers(0, 2, (4, width)).astype(float))
        message.add_features(Features(tokens, "sequence", TEXT, origin))
        sentence = np.zeros((1, width))
        sentence[0, signal * 3: signal * 3 + 3] = 1 + (rng.random(3) < 0.6)
        sentence[0, rng.integers(0, width, 4)] += 1
        message.add_features(Features(sp.coo_matrix(sentence), "sentence", TEXT, origin))
    dense = rng.normal(size=(1, 16))
    dense[0, signal] += 2.0
    message.add_features(Features(dense, "sentence", TEXT, "minilm"))
    return message


@pytest.fixture()
def messages() -> list[Message]:
    rng = np.random.default_rng(7)
    return [_message(rng, intent, i) for i in range(40) for intent in INTENTS[: 2 + i % 3]]


def _classifier(tmp_path, **config) -> LinearIntentClassifier:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **config},
                                         storage, Resource("linear"), context)


def _rasa_rows(messages: list[Message], dense_weight: float, sparse_weight: float) -> sp.csr_matrix:
    """The rows as the classifier first built them, through Rasa's own feature combining."""
    rows = []
    for message in messages:
        dense = message.get_dense_features(TEXT)[1].features.reshape(1, -1)
        sparse = sp.csr_matrix(message.get_sparse_features(TEXT)[1].features, dtype=np.float64)
        rows.append(sp.hstack([sp.csr_matrix(normalize(dense) * dense_weight),
                               normalize(sparse) * sparse_weight], format="csr"))
    return sp.vstack(rows, format="csr")


def test_rows_are_rasas_sentence_features_in_rasas_order(tmp_path, messages) -> None:
    classifier = _classifier(tmp_path, dense_weight=1.0, sparse_weight=0.5)
    ours = classifier._features(messages)
    expected = _rasa_rows(messages, 1.0, 0.5)
    assert ours.shape == expected.shape == (len(messages), 16 + 30 + 50)
    np.testing.assert_allclose(ours.toarray(), expected.toarray(), atol=1e-12)


def test_rows_without_dense_features_are_the_sparse_part(tmp_path, messages) -> None:
    for message in messages:
        message.features = [f for f in message.features if f.is_sparse()]
    dense, sparse = _classifier(tmp_path)._parts(messages)
    assert dense is None and sparse.shape == (len(messages), 80)


def test_rows_need_sentence_features(tmp_path) -> None:
    with pytest.raises(ValueError, match="needs sentence features"):
        _classifier(tmp_path)._parts([Message(data={TEXT: "hello", INTENT: "greet"})])


def test_the_fit_reaches_scikit_learns_lbfgs_minimum(tmp_path, messages) -> None:
    classifier = _classifier(tmp_path)
    dense, sparse = classifier._parts(messages)
    labels = [m.get(INTENT) for m in messages]
    settings = {"C": 8.0, "max_iter": 500, "class_weight": "balanced", "random_state": 42}
    reference = LogisticRegression(**settings).fit(classifier._features(messages), labels)
    ours = fit_multinomial(LogisticRegression(**settings), dense, sparse, labels)
    rows = classifier._features(messages)
    assert list(ours.classes_) == list(reference.classes_)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-3)
    np.testing.assert_allclose(ours.predict_proba(rows), reference.predict_proba(rows), atol=1e-4)
    assert ours.n_iter_[0] > 1


def test_trained_classifier_is_persisted_and_loaded(tmp_path, messages) -> None:
    classifier = _classifier(tmp_path)
    resource = classifier.train(TrainingData(messages))
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(),
                                         classifier._storage, resource, context)
    probe = [_message(np.random.default_rng(99), "weather", 0)]
    loaded.process(probe)
    assert probe[0].get(INTENT)["name"] == "weather"
    assert [r["name"] for r in probe[0].get("intent_ranking")][:1] == ["weather"]


def test_two_intents_train_through_scikit_learn(tmp_path) -> None:
    rng = np.random.default_rng(3)
    messages = [_message(rng, intent, i) for i in range(20) for intent in INTENTS[:2]]
    classifier = _classifier(tmp_path)
    classifier.train(TrainingData(messages))
    assert classifier._model.coef_.shape[0] == 1   # the binomial form predict_proba expects
    probe = [_message(np.random.default_rng(5), "lights_on", 0)]
    assert classifier.process(probe)[0].get(INTENT)["name"] == "lights_on"


def test_an_intent_weight_raises_that_intents_share_and_only_it(tmp_path, messages) -> None:
    classifier = _classifier(tmp_path)
    dense, sparse = classifier._parts(messages)
    labels = [m.get(INTENT) for m in messages]
    settings = {"C": 8.0, "max_iter": 500, "class_weight": "balanced", "random_state": 42}
    rows = classifier._features(messages)
    plain = fit_multinomial(LogisticRegression(**settings), dense, sparse, labels)
    same = fit_multinomial(LogisticRegression(**settings), dense, sparse, labels, intent_weights={"weather": 1.0})
    heavy = fit_multinomial(LogisticRegression(**settings), dense, sparse, labels, intent_weights={"weather": 3.0})
    np.testing.assert_allclose(same.coef_, plain.coef_)
    column = list(plain.classes_).index("weather")
    assert heavy.predict_proba(rows)[:, column].mean() > plain.predict_proba(rows)[:, column].mean()


def test_the_intent_weights_reach_the_fit(tmp_path, messages) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = _classifier(tmp_path / "a")
    heavy = _classifier(tmp_path / "b", intent_weights={"weather": 3.0})
    plain.train(TrainingData(messages))
    heavy.train(TrainingData(messages))
    rows = plain._features(messages)
    column = list(plain._model.classes_).index("weather")
    assert heavy._model.predict_proba(rows)[:, column].mean() > plain._model.predict_proba(rows)[:, column].mean()


def test_the_nearest_examples_vote_and_are_persisted(tmp_path, messages) -> None:
    config = {"knn_k": 5, "knn_temperature": 0.1, "knn_weight": 0.35}
    (tmp_path / "plain").mkdir()
    (tmp_path / "blended").mkdir()
    plain = _classifier(tmp_path / "plain")
    plain.train(TrainingData(messages))
    blended = _classifier(tmp_path / "blended", **config)
    resource = blended.train(TrainingData(messages))

    def probe() -> Message:   # a request like one training example in every feature
        return Message(data={TEXT: messages[0].get(TEXT)}, features=list(messages[0].features))

    intent = messages[0].get(INTENT)
    share = {r["name"]: r["confidence"] for r in blended.process([probe()])[0].get("intent_ranking")}
    plain_share = {r["name"]: r["confidence"] for r in plain.process([probe()])[0].get("intent_ranking")}
    assert max(share, key=share.__getitem__) == intent and share[intent] > plain_share[intent]
    assert sum(share.values()) == pytest.approx(1.0)
    loaded = LinearIntentClassifier.load({**LinearIntentClassifier.get_default_config(), **config},
                                         blended._storage, resource, ExecutionContext(GraphSchema({}), "test"))
    again = {r["name"]: r["confidence"] for r in loaded.process([probe()])[0].get("intent_ranking")}
    assert again[intent] == pytest.approx(share[intent], abs=1e-3)   # the vectors are kept in float16


def test_each_message_carries_its_nearest_examples_intent(tmp_path, messages) -> None:
    from assistant.components.linear_intent_classifier import NEAREST_EXAMPLE, Neighbours

    classifier = _classifier(tmp_path, knn_k=5, knn_weight=0.35)
    classifier.train(TrainingData(messages))
    probes = [Message(data={TEXT: m.get(TEXT)}, features=list(m.features)) for m in (messages[0], messages[1])]
    classifier.process(probes)
    assert [p.get(NEAREST_EXAMPLE) for p in probes] == [messages[0].get(INTENT), messages[1].get(INTENT)]
    assert NEAREST_EXAMPLE not in probes[0].as_dict(only_output_properties=True)   # the fallback's evidence, not the parse's output
    # The nearest is the most similar example, whatever the vote of the k nearest says.
    neighbours = Neighbours(np.array([[1.0, 0.0], [0.6, 0.8], [0.6, 0.8], [0.6, 0.8]]), np.array([0, 1, 1, 1]))
    shares, nearest = neighbours.votes(np.array([[0.9, 0.44]]), 2, 4, 1.0)
    assert nearest.tolist() == [0] and shares[0, 1] > shares[0, 0]


def test_no_vote_when_switched_off(tmp_path, messages) -> None:
    (tmp_path / "off").mkdir()
    (tmp_path / "plain").mkdir()
    off = _classifier(tmp_path / "off", knn_k=5, knn_weight=0.0)
    off.train(TrainingData(messages))
    plain = _classifier(tmp_path / "plain")
    plain.train(TrainingData(messages))
    assert off._neighbours is None
    probe = messages[0]
    rankings = [c.process([Message(data={TEXT: probe.get(TEXT)}, features=list(probe.features))])[0]
                .get("intent_ranking") for c in (off, plain)]
    assert rankings[0] == rankings[1]   # the regression's own probabilities, untouched


def test_a_corrupt_neighbours_file_leaves_the_regression_answering(tmp_path, messages, caplog) -> None:
    from assistant.components.linear_intent_classifier import NEIGHBOURS_FILE

    config = {**LinearIntentClassifier.get_default_config(), "knn_k": 5, "knn_weight": 0.35}
    classifier = _classifier(tmp_path, **config)
    resource = classifier.train(TrainingData(messages))
    with classifier._storage.read_from(resource) as folder:
        (folder / NEIGHBOURS_FILE).write_bytes(b"not a zip file")
    loaded = LinearIntentClassifier.load(config, classifier._storage, resource, ExecutionContext(GraphSchema({}), "test"))
    assert loaded._neighbours is None and "can't be read" in caplog.text
    probe = [_message(np.random.default_rng(99), "weather", 0)]
    assert loaded.process(probe)[0].get(INTENT)["name"] == "weather"
