"""Precision and recall of inferred preferences against simulated users' hidden preferences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from assistant.habits.implicit import INFERRED_KEYS, Inference


@dataclass
class Score:
    """Per key and overall: predictions made, correct ones, and truths there were to find."""

    predicted: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=dict)
    truths: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _rate(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    def to_json(self) -> dict[str, Any]:
        keys = sorted(self.truths)
        total = {name: sum(getattr(self, name).values()) for name in ("predicted", "correct", "truths")}
        return {
            "precision": self._rate(total["correct"], total["predicted"]),
            "recall": self._rate(total["correct"], total["truths"]),
            "predicted": total["predicted"], "correct": total["correct"], "truths": total["truths"],
            "per_key": {k: {"precision": self._rate(self.correct.get(k, 0), self.predicted.get(k, 0)),
                            "recall": self._rate(self.correct.get(k, 0), self.truths.get(k, 0)),
                            "predicted": self.predicted.get(k, 0), "correct": self.correct.get(k, 0),
                            "truths": self.truths.get(k, 0)} for k in keys},
        }


def score(inferred: Iterable[Inference], truth: Mapping[str, Mapping[str, str | None]]) -> Score:
    """``truth``: user -> key -> hidden value. Only users in ``truth`` and the keys inference
    covers are scored; an inference for a key with no hidden value counts as wrong."""
    result = Score()
    keys = [k.value for k in INFERRED_KEYS]
    for user, values in truth.items():
        for key in keys:
            if values.get(key):
                result.truths[key] = result.truths.get(key, 0) + 1
    for inference in inferred:
        if inference.user_id not in truth or inference.key not in keys:
            continue
        result.predicted[inference.key] = result.predicted.get(inference.key, 0) + 1
        if (truth[inference.user_id].get(inference.key) or "").lower() == inference.value.lower():
            result.correct[inference.key] = result.correct.get(inference.key, 0) + 1
    return result


def population_truth(users: int, seed: int) -> dict[str, dict[str, str | None]]:
    """The hidden preferences of the population `assistant simulate --users N --seed S` ran."""
    from simulator.population.users import generate_population

    return {u.user_id: {k.value: u.prefs.value(k.value) for k in INFERRED_KEYS}
            for u in generate_population(users, seed)}
