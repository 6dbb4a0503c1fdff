"""Precision and recall of inferred preferences against simulated users' hidden preferences."""

from __future__ import annotations

import datetime as dt
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


def synthetic_log(users: int, days: int, seed: int) -> list[Any]:
    """A seeded stand-in for a simulator run without the Rasa stack: each simulated user's
    daily goals (`simulator.population.goals.daily_goals`) said in their habitual phrasing and
    answered as the assistant would with no preferences: named music plays, "play some music"
    plays the default (then the user names their genre), the weather is the catalog home's
    (then the user names their city). No ASR noise and no failures: an upper bound on evidence."""
    import re

    from assistant.catalog import load_catalog
    from assistant.learning.log import TurnRecord
    from simulator.population.goals import GoalKind, daily_goals, moment
    from simulator.population.users import generate_population

    catalog = load_catalog()
    start = dt.datetime(2026, 1, 5).date()
    home_label = catalog.cities_named(catalog.home_city)[0].label
    rows: list[Any] = []
    for user in generate_population(users, seed):
        for day in range(days):
            for goal in daily_goals(user, day, seed):
                at = moment(start, day, goal.time)

                def add(text: str, *, directives: tuple[str, ...] = (), reply: str = "", intent: str = goal.intent,
                        at: dt.datetime = at) -> None:
                    rows.append(TurnRecord(user_id=user.user_id, device_id=goal.device_id, session_id=user.user_id,
                                           timestamp=at, text=text, intent=intent, reply=reply,
                                           directives=list(directives), context={}))
                text = goal.phrasings[user.style.phrasing(goal.kind.value, 0, len(goal.phrasings))]
                if goal.kind in (GoalKind.PLAY_ARTIST, GoalKind.PLAY_GENRE):
                    item = goal.slots.get("artist") or goal.slots.get("genre") or ""
                    add(text, directives=(f"play {goal.device_id} {item}|music",))
                elif goal.kind is GoalKind.PLAY_MUSIC:
                    add(text, directives=(f"play {goal.device_id} pop|music",))
                    if user.prefs.music_genre != "pop":
                        add(f"play some {user.prefs.music_genre}", at=at + dt.timedelta(seconds=20),
                            directives=(f"play {goal.device_id} {user.prefs.music_genre}|music",))
                elif goal.kind is GoalKind.WEATHER_CITY:
                    city = next(c for c in catalog.cities if c.name == goal.slots.get("city"))
                    add(text, reply=f"In {city.label} today: sunny.")
                elif goal.kind is GoalKind.WEATHER_HOME:
                    add(text, reply=f"In {home_label} today: sunny.")
                    if user.prefs.home_city != home_label:
                        name = re.sub(r",.*", "", user.prefs.home_city).lower()
                        add(f"what's the weather in {name}", at=at + dt.timedelta(seconds=20),
                            reply=f"In {user.prefs.home_city} today: sunny.")
    return rows


def measure_synthetic(users: int, days: int, seed: int) -> dict[str, Any]:
    """Precision and recall of inference after ``days`` days of a synthetic history."""
    from assistant.habits.implicit import observations
    from assistant.habits.implicit import score as infer_scores

    rows = synthetic_log(users, days, seed)
    now = max(r.timestamp for r in rows)
    return {"users": users, "days": days, "seed": seed, "turns": len(rows),
            **score(infer_scores(observations(rows), now), population_truth(users, seed)).to_json()}


if __name__ == "__main__":  # python -m lab.evaluation.habits USERS SEED DAYS...
    import json
    import sys

    n_users, n_seed, *day_counts = (int(a) for a in sys.argv[1:] or ("50", "7", "3", "7", "14", "30"))
    for n_days in day_counts:
        figures = measure_synthetic(n_users, n_days, n_seed)
        print(json.dumps({k: figures[k] for k in ("users", "days", "seed", "turns", "precision", "recall")}
                         | {"per_key": {k: (v["precision"], v["recall"]) for k, v in figures["per_key"].items()}}))
