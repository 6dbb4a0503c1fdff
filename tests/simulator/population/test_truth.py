"""Ground-truth labels on hand-made TurnResults whose answers are known."""

from __future__ import annotations

import random

from assistant.outcomes import Problem
from assistant.turn import ActionReport, TurnResult
from simulator.population.asr import Heard
from simulator.population.goals import Goal, GoalKind, Outcome, build_goal
from simulator.population.truth import (
    FailurePoint,
    TurnKind,
    judge_answer,
    judge_intent,
    judge_request,
    truth_record,
)
from simulator.population.users import generate_population

LIGHT = Goal(goal_id="g1", kind=GoalKind.LIGHT_ON, intent="turn_on", device_id="bedroom_speaker",
             time="20:00", phrasings=("turn on the bedroom lights",),
             outcome=Outcome(directive="turn_on bedroom_light"), critical=("bedroom", "lights", "light"),
             target="bedroom_light")
MUSIC = Goal(goal_id="g2", kind=GoalKind.PLAY_MUSIC, intent="play_media", device_id="kitchen_speaker",
             time="20:00", phrasings=("play some music",),
             outcome=Outcome(directive=r"play kitchen_speaker (?:jazz|Miles Davis)\|music"),
             critical=("music",), pref_keys=("music_genre", "music_artist"), target="kitchen_speaker")
WEATHER = Goal(goal_id="g3", kind=GoalKind.WEATHER_CITY, intent="ask_weather", device_id="kitchen_speaker",
               time="08:00", phrasings=("what's the weather in denver",),
               outcome=Outcome(answer=("city", "Denver, Colorado")), critical=("denver", "weather"))
FILM = Goal(goal_id="g4", kind=GoalKind.PLAY_TITLE, intent="play_media", device_id="kitchen_speaker",
            time="20:00", phrasings=("play the matrix",), outcome=Outcome(problem="NEEDS_SCREEN", impossible=True),
            critical=("matrix",))
SAID = "turn on the bedroom lights"


def clean(text: str) -> Heard:
    return Heard(said=text, text=text, confidence=0.95, damaged=False)


def test_the_right_directive_applied_is_a_success() -> None:
    result = TurnResult(text=SAID, intent="turn_on", applied=["turn_on bedroom_light"])
    verdict = judge_request(LIGHT, SAID, clean(SAID), result, "u")
    assert verdict.success and verdict.failure_point is None


def test_asr_damage_to_what_mattered_is_an_asr_failure() -> None:
    heard = Heard(said=SAID, text="turn on the bad room likes", confidence=0.6, damaged=True)
    result = TurnResult(text=heard.text, intent="turn_on", applied=["turn_on kitchen_light"])
    assert judge_request(LIGHT, SAID, heard, result, "u").failure_point is FailurePoint.ASR


def test_a_rewrite_that_restored_the_words_moves_the_blame_on() -> None:
    heard = Heard(said=SAID, text="turn on the bad room lights", confidence=0.6, damaged=True)
    result = TurnResult(text=heard.text, intent="turn_off", applied=[],
                        rewrite={"source": "global", "rewritten": SAID})
    assert judge_request(LIGHT, SAID, heard, result, "u").failure_point is FailurePoint.NLU


def test_clean_words_and_a_wrong_intent_is_an_nlu_failure() -> None:
    result = TurnResult(text=SAID, intent="turn_off", applied=["turn_off bedroom_light"])
    assert judge_request(LIGHT, SAID, clean(SAID), result, "u").failure_point is FailurePoint.NLU


def test_right_intent_wrong_device_is_entity_resolution() -> None:
    result = TurnResult(text=SAID, intent="turn_on", applied=["turn_on kitchen_light"])
    assert judge_request(LIGHT, SAID, clean(SAID), result, "u").failure_point is FailurePoint.ENTITY_RESOLUTION


def test_a_refusal_of_the_right_directive_is_a_result_failure() -> None:
    result = TurnResult(text=SAID, intent="turn_on",
                        refused=[("turn_on bedroom_light", "UNSUPPORTED", "no")])
    assert judge_request(LIGHT, SAID, clean(SAID), result, "u").failure_point is FailurePoint.RESULT


def test_a_missing_preference_is_a_result_failure_and_the_liked_music_a_success() -> None:
    said = "play some music"
    wrong = TurnResult(text=said, intent="play_media", applied=["play kitchen_speaker pop|music"])
    right = TurnResult(text=said, intent="play_media", applied=["play kitchen_speaker Miles Davis|music"])
    assert judge_request(MUSIC, said, clean(said), wrong, "u").failure_point is FailurePoint.RESULT
    assert judge_request(MUSIC, said, clean(said), right, "u").success


def test_answers_are_judged_by_what_the_action_tagged_not_the_wording() -> None:
    said = "what's the weather in denver"
    good = TurnResult(text=said, intent="ask_weather", replies=["Snowy all day."],
                      report=ActionReport(answered={"city": "denver, colorado"}))
    bad = TurnResult(text=said, intent="ask_weather", replies=["In Denver, Colorado today: snowy."],
                     report=ActionReport(answered={"city": "Seattle, Washington"}))
    assert judge_request(WEATHER, said, clean(said), good, "u").success
    assert judge_request(WEATHER, said, clean(said), bad, "u").failure_point is FailurePoint.ENTITY_RESOLUTION


def test_an_impossible_request_explained_is_correct() -> None:
    said = "play the matrix"
    result = TurnResult(text=said, intent="play_media", report=ActionReport(problems=[Problem.NEEDS_SCREEN]),
                        replies=["The Matrix is a film and this device has no screen. Ask the TV instead."])
    verdict = judge_request(FILM, said, clean(said), result, "u")
    assert not verdict.success and verdict.failure_point is FailurePoint.CORRECT
    untagged = TurnResult(text=said, intent="play_media", replies=result.replies)   # the words alone
    assert judge_request(FILM, said, clean(said), untagged, "u").failure_point is not FailurePoint.CORRECT


def test_preference_answers_are_checked_against_the_store() -> None:
    said = "jazz"
    result = TurnResult(text=said, intent="inform")
    stored = judge_answer("music_genre", "jazz", said, clean(said), result, "u", lambda u, k: "jazz")
    missing = judge_answer("music_genre", "jazz", said, clean(said), result, "u", lambda u, k: None)
    assert stored.success and stored.preference_correct is True
    assert not missing.success and missing.preference_correct is False


def test_complaints_are_judged_by_intent() -> None:
    text = "no, that's wrong"
    assert judge_intent(("complain",), text, clean(text), TurnResult(text=text, intent="complain")).success
    assert judge_intent(("complain",), text, clean(text),
                        TurnResult(text=text, intent="deny")).failure_point is FailurePoint.NLU


def test_the_truth_record_has_the_agreed_keys() -> None:
    result = TurnResult(text=SAID, intent="turn_on", applied=["turn_on bedroom_light"])
    verdict = judge_request(LIGHT, SAID, clean(SAID), result, "u")
    record = truth_record(goal_id="g1", goal_intent="turn_on", said=SAID, heard=SAID, false_wake=False,
                          verdict=verdict, rephrase_of=None, reaction="move_on", turn_kind=TurnKind.REQUEST)
    assert {"goal_id", "goal_intent", "said", "heard", "false_wake", "success", "failure_point",
            "rephrase_of", "reaction", "preference_correct"} <= set(record)
    assert record["success"] is True and record["failure_point"] is None


def test_a_misheard_value_in_a_preference_goals_fallback_is_the_channels_fault() -> None:
    """The fallback names the liked value ("play some jazz"); heard wrong, the failure is ASR,
    as for a goal that names its value from the start (not the result of a missing preference)."""
    user = generate_population(3, seed=21)[0]
    for kind, problem, intent in ((GoalKind.PLAY_MUSIC, Problem.NOT_FOUND, "play_media"),
                                  (GoalKind.WEATHER_HOME, Problem.UNKNOWN_CITY, "ask_weather")):
        goal = build_goal(kind, user, "g", "20:00", random.Random(1))
        said = goal.fallbacks[0]
        value = goal.critical[0]
        assert value in said
        heard = Heard(said=said, text=said.replace(value, "bruise"), confidence=0.7, damaged=True)
        result = TurnResult(text=heard.text, intent=intent, report=ActionReport(problems=[problem]))
        assert judge_request(goal, said, heard, result, "u").failure_point is FailurePoint.ASR
        # Said as the goal's first request ("play some music"), the missing preference is the result's.
        first = goal.phrasings[0]
        assert value not in first
        plain = TurnResult(text=first, intent=intent)
        assert judge_request(goal, first, clean(first), plain, "u").failure_point is FailurePoint.RESULT


ALARM = Goal(goal_id="g5", kind=GoalKind.ALARM, intent="set_alarm", device_id="bedroom_alarm_clock",
             time="22:00", phrasings=("set an alarm for 7:30 am",), outcome=Outcome(directive="set_alarm bedroom_alarm_clock 07:30"),
             critical=("7:30",), keywords=("alarm",), target="bedroom_alarm_clock")


def test_a_recogniser_writing_numbers_in_words_has_not_lost_them() -> None:
    said = "set an alarm for 7:30 am"
    spoken = Heard(said=said, text="set an alarm for seven thirty am", confidence=0.8, damaged=False)
    result = TurnResult(text=spoken.text, intent="set_alarm", applied=["set_alarm bedroom_alarm_clock 07:45"])
    assert judge_request(ALARM, said, spoken, result, "u").failure_point is FailurePoint.ENTITY_RESOLUTION
    misheard = Heard(said=said, text="set an alarm for seven forty am", confidence=0.6, damaged=True)
    result = TurnResult(text=misheard.text, intent="set_alarm", applied=["set_alarm bedroom_alarm_clock 07:40"])
    assert judge_request(ALARM, said, misheard, result, "u").failure_point is FailurePoint.ASR
