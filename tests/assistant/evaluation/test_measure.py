"""The figures `measure` computes from parses (no model needed)."""

from __future__ import annotations

import pytest

from assistant.evaluation.measure import Parsed, hwu_speech, intent_figures, percentile


def _p(intent: str) -> Parsed:
    return Parsed(intent, 0.9, (), "", 1.0)


def test_confidently_wrong_is_a_wrong_intent_that_is_not_the_fallback() -> None:
    rows = [("turn_on", _p("turn_on")), ("turn_on", _p("nlu_fallback")), ("turn_on", _p("turn_off")),
            ("play_media", _p("play_media"))]
    figures = intent_figures(rows)
    assert figures["accuracy"] == 0.5
    assert figures["fallback_rate"] == 0.25
    assert figures["confidently_wrong_rate"] == 0.25
    assert figures["per_intent"]["turn_on"] == {"n": 3, "accuracy": pytest.approx(1 / 3)}


def test_percentile_by_nearest_rank() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0


def test_hwu_speech_drops_wake_word_and_punctuation() -> None:
    assert hwu_speech("Olly, I love Jazz!") == "i love jazz"
