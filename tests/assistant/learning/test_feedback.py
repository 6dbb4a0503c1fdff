"""The signals a turn leaves on the one before it."""

from __future__ import annotations

from assistant.learning.feedback import follow_up
from tests.assistant.learning.rephrase_logs import turn


def fake_similarity(pairs: list[tuple[str, str]]) -> list[float]:
    return [0.7 if {a, b} == {"play maj and dragons", "put on imagine dragons"} else 0.1 for a, b in pairs]


def scoring(value: float):
    """A similarity scoring every pair ``value``."""
    return lambda pairs: [value] * len(pairs)


def test_a_repeat_a_rephrase_and_a_new_request() -> None:
    first = turn("ann", "play maj and dragons", at=0)
    assert follow_up(first, turn("ann", "play maj and dragons please", at=5), fake_similarity) == {"repeat": True}
    assert follow_up(first, turn("ann", "put on imagine dragons", at=5), fake_similarity) == {"rephrase": True}
    assert follow_up(first, turn("ann", "what time is it", at=5, intent="ask_time"), fake_similarity) == {}


def test_too_late_is_a_new_request() -> None:
    first = turn("ann", "play maj and dragons", at=0)
    assert follow_up(first, turn("ann", "play maj and dragons", at=600), fake_similarity) == {}


def test_barge_in_complaint_and_an_answer_to_the_check_question() -> None:
    first = turn("ann", "play jazz", at=0, actions=["action_play_media", "action_check_answer"])
    cut = turn("ann", "stop", at=2, intent="stop", barge_in=True)
    assert follow_up(first, cut, fake_similarity) == {"barge_in": True}
    assert follow_up(first, turn("ann", "no that's wrong", at=3, intent="complain"),
                     fake_similarity) == {"dissatisfaction": True}
    assert follow_up(first, turn("ann", "no", at=3, intent="deny"), fake_similarity) == {"explicit": "no"}
    assert follow_up(first, turn("ann", "yes", at=3, intent="affirm"), fake_similarity) == {"explicit": "yes"}


def test_two_confident_different_intents_are_not_a_repeat() -> None:
    first = turn("ann", "unlock the front door", at=0, intent="unlock", confidence=0.99)
    second = turn("ann", "is the front door unlocked", at=4, intent="ask_device_state", confidence=0.97)
    assert follow_up(first, second, scoring(0.95)) == {}


def test_after_a_visible_failure_a_looser_likeness_is_a_rephrase() -> None:
    failed = turn("ann", "heat the of in", at=0, problems=["NO_TARGET"])
    fine = turn("ann", "heat the of in", at=0)
    again = turn("ann", "preheat the oven", at=5)
    assert follow_up(failed, again, scoring(0.5)) == {"rephrase": True}
    assert follow_up(fine, again, scoring(0.5)) == {}
    oven = turn("ann", "heat the oven now", at=0)
    assert follow_up(oven, turn("ann", "heat the oven", at=5), scoring(0.1)) == {"rephrase": True}
