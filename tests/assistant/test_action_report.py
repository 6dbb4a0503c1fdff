"""The actions' structured message: every key declared once, decoded once, never raised on."""

from __future__ import annotations

from assistant.outcomes import Problem
from assistant.turn import ActionReport, TurnResult


def test_a_turns_messages_are_decoded_into_one_report_that_the_result_carries() -> None:
    payloads = [
        None,                                                    # a text-only message
        {"directives": ["turn_on kitchen_light"]},
        {"problem": "NOT_FOUND"},
        {"implicit": ["jazz"], "asked_city": "Miami, Florida"},
        {"exploration": {"choice": "play_media", "options": ["play_media", "turn_on"]}},
        {"habits": {"intent": "teach_concept", "outcome": "saved"}},
        {"concept": {"name": "movie time", "steps": 2, "failed": []}, "directives": ["turn_on living_room_tv"]},
        {"forgot": ["music_genre"], "surprise": 1},
    ]
    report = ActionReport.decode(payloads)
    assert report.directives == ["turn_on kitchen_light", "turn_on living_room_tv"]
    assert report.problems == [Problem.NOT_FOUND] and report.understood_as == "teach_concept"
    assert report.concept == {"name": "movie time", "steps": 2, "failed": []} and report.unknown == ["surprise"]
    result = TurnResult(text="x", report=report)
    assert result.report is report   # carried, not copied
    result.add_problem("NO_TARGET")
    assert report.problems == [Problem.NOT_FOUND, Problem.NO_TARGET]
    result.problems = [Problem.NOT_FOUND]
    assert (result.directives, result.problems, result.forgot) == (report.directives, [Problem.NOT_FOUND],
                                                                    ["music_genre"])
    assert (result.implicit_used, result.asked_city) == (["jazz"], "Miami, Florida")
    assert (result.explore_choice, result.explore_options) == ("play_media", ["play_media", "turn_on"])


def test_wrong_types_and_unknown_codes_are_dropped_or_kept_as_other() -> None:
    report = ActionReport.decode([{"directives": "turn_on x", "forgot": "all", "problem": "NEW_CODE",
                                   "exploration": ["asked"], "habits": {"outcome": "saved"}, "asked_city": 3}])
    assert report.directives == [] and report.forgot == [] and report.problems == [Problem.OTHER]
    assert report.explore_asked == [] and report.understood_as is None and report.asked_city is None


def test_rested_on_is_decoded_and_malformed_values_are_dropped() -> None:
    from assistant.turn import ActionReport, RestedOn

    report = ActionReport.decode([{"rested_on": {"key": "music_genre", "stored": False}}])
    assert report.rested_on == RestedOn("music_genre", False) and not report.unknown
    assert RestedOn("cuisine", True).to_json() == {"rested_on": {"key": "cuisine", "stored": True}}
    for bad in ({"key": ""}, {"stored": True}, "music_genre", None, {"key": 3}):
        assert ActionReport.decode([{"rested_on": bad}]).rested_on is None
    assert RestedOn.decode({"key": "cuisine", "stored": "yes"}) == RestedOn("cuisine", False)   # only True is stored
