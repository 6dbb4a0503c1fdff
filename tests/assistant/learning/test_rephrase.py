"""Rephrase detection on hand-made turns, with token overlap standing in for MiniLM."""

from __future__ import annotations

import pytest

from assistant.learning.rephrase import (
    DetectionQuality,
    Evidence,
    RephraseThresholds,
    candidate_pairs,
    decide,
    detect,
    facts,
    measure,
    score_detection,
    true_pairs,
)
from assistant.similarity import token_similarity
from tests.assistant.learning.rephrase_logs import failed_then_fixed, turn

T = RephraseThresholds()


def _detect(turns, thresholds: RephraseThresholds = T, similarity=token_similarity):
    return detect(turns, thresholds, similarity)


def test_a_failed_request_rephrased_soon_after_is_detected() -> None:
    first, second = failed_then_fixed("alice", "play maj and dragons", "play imagine dragons", at=0)
    assert _detect([first, second], similarity=lambda pairs: [0.7] * len(pairs)) == [(first.id, second.id)]


def test_dissimilar_texts_are_not_a_rephrase_even_after_a_failure() -> None:
    first, second = failed_then_fixed("alice", "play maj and dragons", "what is the weather", at=0)
    assert _detect([first, second]) == []


def test_the_time_window_bounds_a_pair() -> None:
    first, second = failed_then_fixed("alice", "play maj and dragons", "play maj and dragons", at=0,
                                      gap=121)
    assert _detect([first, second]) == []
    assert _detect([first, second], RephraseThresholds(window_seconds=200)) == [(first.id, second.id)]


def test_other_sessions_are_not_paired() -> None:
    first = turn("alice", "play maj and dragons", at=0, session="a", intent="nlu_fallback", confidence=0.2)
    other = turn("bob", "play maj and dragons", at=5, session="b")
    assert _detect([first, other]) == []


def test_a_success_repeated_with_new_words_is_a_new_request() -> None:
    first = turn("alice", "turn on the kitchen light", at=0)
    second = turn("alice", "turn on the bedroom light", at=20)
    # overlap 4/6 and no failure: only a near-identical request would count
    assert _detect([first, second]) == []
    assert _detect([first, second], similarity=lambda pairs: [0.95] * len(pairs)) == [(first.id, second.id)]


def test_non_requests_in_between_are_skipped_and_a_complaint_is_evidence() -> None:
    first = turn("alice", "play maj and dragons", at=0, intent="play_music", confidence=0.8)
    no = turn("alice", "no that's wrong", at=4, intent="complain")
    second = turn("alice", "play imagine dragons", at=8)
    pairs = list(candidate_pairs([facts(t, T) for t in (first, no, second)], T))
    assert [(a.id, b.id, e) for a, b, e in pairs] == [(first.id, second.id, Evidence.FAILED_THEN_WORKED)]
    assert _detect([first, no, second], similarity=lambda pairs: [0.55] * len(pairs)) == [(first.id, second.id)]


def test_an_affirm_is_not_a_request() -> None:
    first = turn("alice", "yes", at=0, intent="affirm")
    second = turn("alice", "yes", at=3, intent="affirm")
    assert _detect([first, second]) == []


def test_the_rewritten_text_is_what_counts() -> None:
    first = turn("alice", "play maj and dragons", text_rewritten="play imagine dragons", at=0,
                 feedback={"repeat": True})
    second = turn("alice", "play imagine dragons", at=5)
    found = facts(first, T)
    assert found is not None and found.key == "play imagine dragons"
    assert _detect([first, second]) == [(first.id, second.id)]


def test_a_corrupt_row_has_no_facts() -> None:
    broken = turn("alice", "play jazz", at=0)
    broken.session_id = ""
    assert facts(broken, T) is None
    assert _detect([broken, turn("alice", "play jazz", at=3)]) == []


@pytest.mark.parametrize(("evidence", "overlap", "similarity", "expected"), [
    (Evidence.NONE, 1.0, 0.0, True),
    (Evidence.NONE, 0.5, 0.89, False),
    (Evidence.NONE, 0.5, 0.91, True),
    (Evidence.NONE, 0.2, 0.99, False),      # not even embedded
    (Evidence.FIRST_FAILED, 0.5, 0.0, True),
    (Evidence.FIRST_FAILED, 0.2, 0.59, False),
    (Evidence.FIRST_FAILED, 0.2, 0.61, True),
    (Evidence.FAILED_THEN_WORKED, 0.2, 0.51, True),
    (Evidence.FAILED_THEN_WORKED, 0.2, 0.49, False),
])
def test_decide(evidence: Evidence, overlap: float, similarity: float, expected: bool) -> None:
    assert decide(evidence, overlap, similarity, T) is expected


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError):
        RephraseThresholds(similarity=2.0)
    with pytest.raises(ValueError):
        RephraseThresholds(window_seconds=0)


def test_detection_is_scored_against_the_simulators_truth() -> None:
    a1, a2 = failed_then_fixed("alice", "play maj and dragons", "play maj and dragons please", at=0)
    b1 = turn("bob", "turn on the lights", at=0, truth={"rephrase_of": None})
    b2 = turn("bob", "turn on the lights", at=10, truth={"rephrase_of": None})  # a new goal: FP
    c1 = turn("carol", "set a timer", at=0, intent="nlu_fallback", confidence=0.2, truth={"rephrase_of": None})
    c2 = turn("carol", "what's the weather", at=5, truth={"rephrase_of": None})
    c3 = turn("carol", "start a timer for ten minutes", at=9)  # truth: rephrases c1 (missed: FN)
    a1.truth, a2.truth = {"rephrase_of": None}, {"rephrase_of": a1.id}
    c3.truth = {"rephrase_of": c1.id}
    log = [a1, b1, c1, a2, b2, c2, c3]
    assert true_pairs(log) == {(a1.id, a2.id), (c1.id, c3.id)}
    quality = measure(log, T, token_similarity)
    assert (quality.true_positives, quality.false_positives, quality.false_negatives) == (1, 1, 1)
    assert quality.precision == pytest.approx(0.5) and quality.recall == pytest.approx(0.5)
    assert quality.to_json()["f1"] == pytest.approx(0.5)


def test_scoring_ignores_unannotated_turns_and_handles_nothing() -> None:
    assert score_detection([(1, 2)], {(1, 2)}, annotated={2}) == DetectionQuality(1, 0, 0)
    assert score_detection([(3, 4)], set(), annotated={2}) == DetectionQuality(0, 0, 0)
    empty = score_detection([], set())
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)


def test_a_request_given_up_on_starts_no_pair() -> None:
    first = turn("alice", "play deaf punk", at=0, intent="nlu_fallback", confidence=0.2,
                 feedback={"give_up": True})
    second = turn("alice", "play daft punk", at=20)
    assert _detect([first, second], similarity=lambda pairs: [0.9] * len(pairs)) == []


def test_without_evidence_an_identical_request_must_come_soon() -> None:
    first = turn("alice", "timer for twenty minutes", at=0)
    soon = turn("alice", "timer for twenty minutes", at=10)
    assert _detect([first, soon]) == [(first.id, soon.id)]
    later = turn("alice", "timer for twenty minutes", at=60)
    assert _detect([first, later]) == []


def test_closed_sessions_are_forgotten_without_losing_open_ones(monkeypatch) -> None:
    from assistant.learning import rephrase

    old = facts(turn("bob", "play jazz", at=0, session="b1"), T)
    open_ = facts(turn("alice", "play maj and dragons", at=0, session="a1"), T)
    last, reacted = {"b1": old, "a1": open_}, {"b1": True, "a1": True}
    rephrase._forget_closed(last, reacted, {"bob": old.seconds + 500, "alice": open_.seconds + 100},
                            T.window_seconds)
    assert list(last) == ["a1"] and list(reacted) == ["a1"]
    # and sweeping often changes nothing that is detected
    monkeypatch.setattr(rephrase, "_SWEEP_EVERY", 1)
    first = turn("alice", "play maj and dragons", at=0, session="a2", intent="nlu_fallback", confidence=0.2)
    filler = [turn("bob", f"what time is it {i}", at=500 + i, session=f"b{i + 2}") for i in range(3)]
    second = turn("alice", "play maj and dragons", at=10, session="a2")
    assert _detect([first, *filler, second]) == [(first.id, second.id)]
