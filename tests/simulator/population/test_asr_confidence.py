"""The ASR channel's confidence: from the damage by default, independent of it on request."""

from __future__ import annotations

import random
import statistics

from simulator.population.asr import Accent, AsrChannel, AsrConfig

SAID = ("play imagine dragons in the kitchen", "set the thermostat to 21 degrees",
        "what's the weather in seattle", "turn on the kitchen lights")


def _heard(config: AsrConfig):
    channel = AsrChannel(config)
    return [channel.hear(said, Accent(), random.Random(f"{i}:{said}"))
            for i in range(300) for said in SAID]


def _gap(config: AsrConfig) -> float:
    """Mean confidence of undamaged minus damaged turns."""
    heard = _heard(config)
    clean = [h.confidence for h in heard if not h.damaged]
    damaged = [h.confidence for h in heard if h.damaged]
    assert len(damaged) > 30 and len(clean) > 30
    return statistics.mean(clean) - statistics.mean(damaged)


def test_confidence_falls_with_damage_by_default() -> None:
    assert _gap(AsrConfig()) > 0.05


def test_independent_confidence_says_nothing_of_the_damage() -> None:
    assert abs(_gap(AsrConfig(confidence_from_damage=False))) < 0.03


def test_independent_confidence_hears_the_same_words() -> None:
    same = [h.text for h in _heard(AsrConfig())]
    other = [h.text for h in _heard(AsrConfig(confidence_from_damage=False))]
    assert same == other


def test_false_wakes_are_not_singled_out_by_confidence() -> None:
    channel = AsrChannel(AsrConfig(false_wake=1.0, confidence_from_damage=False))
    wakes = [channel.false_wake(random.Random(i)) for i in range(200)]
    assert max(w.confidence for w in wakes if w) > 0.8
