from __future__ import annotations

from assistant.analytics.pipeline import analyze
from assistant.analytics.report import build
from tests.assistant.analytics.helpers import numbered, turn


def _truth(goal: str, success: bool, point: str | None, **extra):
    return {"goal_id": goal, "success": success, "failure_point": point, **extra}


def test_report_counts_false_wakes_apart_and_scores_against_truth() -> None:
    records = numbered(
        turn(0, "where did i put my keys", "nlu_fallback", confidence=0.45, asr_confidence=0.5,
             truth=_truth("w", False, "false_wake", false_wake=True)),
        turn(300, "turn on the kitten light", "turn_on", asr_confidence=0.7, problems=["NO_TARGET"],
             reply="Which device do you mean?", feedback={"repeat": True},
             truth=_truth("g1", False, "asr")),
        turn(315, "turn on the kitchen light", "turn_on", asr_confidence=0.95, directives=["turn_on kitchen_light"],
             truth=_truth("g1", True, None, goal_achieved=True)),
        turn(900, "play hunger games", "play_media", asr_confidence=0.95, feedback={"give_up": True},
             entities={"media_title": "hunger games"},
             truth=_truth("g2", False, "result", goal_achieved=False)),
    )
    report = build(analyze(records))
    assert report["false_wakes"] == 1 and report["goals"] == 2
    assert report["goal_success_rate"] == 0.5
    assert report["goal_success_accuracy"] == 1.0
    assert report["baseline"]["goal_success_accuracy"] == 0.0   # the retry fools it, the give-up escapes it
    assert report["failure_point_detail"]["confusion"] == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0],
                                                           [0, 0, 0, 1]]
    assert report["failure_point_accuracy"] == 1.0
    assert report["rewrite_candidates"] == [{"source": "turn on the kitten light", "target": "turn on the kitchen light",
                                             "failure_point": "asr", "count": 1}]
    assert report["top_failing"]["result"] == [{"text": "play hunger games", "intent": "play_media", "count": 1}]
