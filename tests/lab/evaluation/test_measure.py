"""The figures `measure` computes from parses (no model needed)."""

from __future__ import annotations

import pytest

from lab.evaluation.measure import Parsed, hwu_speech, intent_figures, percentile


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


def test_threshold_sweep_reads_the_ranking_before_the_fallback() -> None:
    from lab.evaluation.measure import threshold_sweep

    low = Parsed("nlu_fallback", 0.45, (), "", 1.0, (("nlu_fallback", 0.45), ("turn_on", 0.3), ("turn_off", 0.1)))
    wrong = Parsed("turn_off", 0.6, (), "", 1.0, (("turn_off", 0.6), ("turn_on", 0.2)))
    oos = Parsed("nlu_fallback", 0.45, (), "", 1.0, (("nlu_fallback", 0.45), ("out_of_scope", 0.25)))
    sweep = {row["threshold"]: row for row in threshold_sweep([("turn_on", low), ("turn_on", wrong)], [oos])}
    assert sweep[0.25]["accuracy"] == 0.5 and sweep[0.25]["confidently_wrong_rate"] == 0.5
    assert sweep[0.25]["out_of_scope_answered"] == 1.0
    assert sweep[0.35]["fallback_rate"] == 0.5 and sweep[0.35]["out_of_scope_answered"] == 0.0


def test_threshold_sweep_keeps_the_models_out_of_scope_margin() -> None:
    from lab.evaluation.measure import threshold_sweep

    clear = Parsed("nlu_fallback", 0.35, (), "", 1.0, (("nlu_fallback", 0.35), ("out_of_scope", 0.3), ("help", 0.1)))
    close = Parsed("nlu_fallback", 0.35, (), "", 1.0, (("nlu_fallback", 0.35), ("out_of_scope", 0.3), ("help", 0.25)))
    plain = {row["threshold"]: row for row in threshold_sweep([], [clear, close])}
    scoped = {row["threshold"]: row for row in threshold_sweep([], [clear, close], out_of_scope_margin=0.1)}
    assert plain[0.35]["out_of_scope_answered"] == 0.0
    assert scoped[0.35]["out_of_scope_answered"] == 0.5   # the clear one only
    assert scoped[0.5]["out_of_scope_answered"] == 0.5


def test_hwu_held_out_scores_the_simulators_held_out_rows() -> None:
    from pathlib import Path

    from lab.evaluation.measure import hwu_held_out
    from simulator.population.hwu64 import DEFAULT_CORPUS
    from simulator.population.real_phrasing import held_out_examples

    rows = [h for h in held_out_examples() if h.expected_intent and h.text]
    right = {h.text: h.expected_intent for h in rows[: len(rows) // 2]}

    class Half:
        def parse(self, text: str) -> Parsed:
            return _p(right.get(text, "nlu_fallback"))

    figures = hwu_held_out(Half(), Path(DEFAULT_CORPUS))  # type: ignore[arg-type]
    assert figures["n"] == len(rows) > 500
    expected = sum(right.get(h.text) == h.expected_intent for h in rows) / len(rows)
    assert figures["accuracy"] == pytest.approx(expected)
    assert 0.4 < figures["accuracy"] < 0.6
