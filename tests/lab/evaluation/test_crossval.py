"""Cross-validation of the intent head: folds, accuracy and the fallback sweep (no model needed)."""

from __future__ import annotations

import numpy as np

from lab.evaluation.crossval import cross_validate


def _data(noise: float) -> tuple[list[tuple[str, str]], np.ndarray]:
    rng = np.random.default_rng(5)
    examples, vectors = [], []
    for n in range(40):
        for intent, words, axis in (("turn_on", "switch on the lamp", 0), ("play_media", "play some jazz", 1)):
            examples.append((f"{words} {n}", intent))
            v = rng.normal(0, noise, 8)
            v[axis] += 1.0
            vectors.append(v)
    return examples, np.array(vectors)


def test_separable_examples_are_predicted_in_every_fold() -> None:
    examples, vectors = _data(0.05)
    result = cross_validate(examples, vectors, folds=4, seed=1, thresholds=(0.3, 0.9))
    assert result["n"] == 80 and result["folds"] == 4
    assert result["accuracy"] == 1.0
    assert set(result["per_intent"]) == {"turn_on", "play_media"}


def test_a_higher_threshold_falls_back_more_and_never_gains_accuracy() -> None:
    examples, vectors = _data(2.0)
    result = cross_validate([(f"x {i}", intent) for i, (_, intent) in enumerate(examples)], vectors,
                            folds=4, seed=1, thresholds=(0.0, 0.6, 0.99))
    low, mid, high = result["sweep"]
    assert low["fallback_rate"] <= mid["fallback_rate"] <= high["fallback_rate"]
    assert high["fallback_rate"] > 0
    assert low["accuracy"] >= mid["accuracy"] >= high["accuracy"]
    assert result["accuracy"] < 1.0
