from __future__ import annotations

from assistant.analytics.goals import baseline_achieved, judge_goal
from assistant.analytics.segment import segment
from assistant.similarity import token_similarity
from tests.assistant.analytics.helpers import numbered, turn


def _goals(*records):
    return segment(numbered(*records), token_similarity)


def test_a_request_that_worked_is_achieved() -> None:
    [goal] = _goals(turn(0, "turn on the kitchen light", "turn_on", directives=["turn_on kitchen_light"]))
    verdict = judge_goal(goal)
    assert verdict.achieved and verdict.baseline_achieved
    assert not verdict.turns[0].defect


def test_repeat_then_success_is_achieved_but_the_baseline_calls_it_failed() -> None:
    [goal] = _goals(
        turn(0, "play maj and dragons", "nlu_fallback", confidence=0.3, asr_confidence=0.4,
             feedback={"rephrase": True}),
        turn(8, "play imagine dragons", "play_media", directives=["play kitchen_speaker imagine dragons"]),
    )
    verdict = judge_goal(goal)
    assert verdict.achieved
    assert not baseline_achieved(goal)
    first, second = verdict.turns
    assert first.defect and {"rephrase", "retried_in_goal", "fallback"} <= set(first.signals)
    assert not second.defect


def test_give_up_or_complaint_on_the_last_request_fails_the_goal() -> None:
    [goal] = _goals(turn(0, "play hunger games", "play_media", feedback={"give_up": True}))
    assert not judge_goal(goal).achieved
    [goal] = _goals(turn(0, "play hunger games", "play_media"), turn(6, "no that's wrong", "complain"))
    verdict = judge_goal(goal)
    assert not verdict.achieved
    assert verdict.baseline_achieved      # no repeat, no rephrase: the baseline misses it


def test_explicit_answers_decide() -> None:
    [goal] = _goals(turn(0, "what's the weather", "ask_weather", confidence=0.4, feedback={"explicit": "yes"}))
    assert judge_goal(goal).achieved
    [goal] = _goals(turn(0, "what's the weather", "ask_weather", feedback={"explicit": "no"}))
    assert not judge_goal(goal).achieved


def test_refused_directive_is_a_defect_signal() -> None:
    [goal] = _goals(turn(0, "turn on the garage light", "turn_on",
                         refused=[["turn_on garage_light", "NO_SUCH_DEVICE", "no such device"]],
                         feedback={"barge_in": True}))
    verdict = judge_goal(goal)
    assert not verdict.achieved
    assert "refused" in verdict.turns[0].signals


def test_truth_comes_from_the_goal_achieved_flag() -> None:
    [goal] = _goals(turn(0, "what time is it", "ask_time", truth={"goal_id": "g", "success": True,
                                                                   "goal_achieved": True}))
    assert judge_goal(goal).truth is True
