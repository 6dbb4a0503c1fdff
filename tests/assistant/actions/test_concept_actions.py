"""The taught-concept actions with an inline Tracker: teaching (dry-run through the device
actions, typed outcome), running all steps in one turn, the open question as slots, forgetting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.actions.concept_steps import StepFailure, lapse_events, run_steps
from assistant.actions.forget_concept import ActionForgetConcept
from assistant.actions.habits_answer import ActionHabitsAnswer
from assistant.actions.run_concept import ActionRunConcept
from assistant.actions.teach_concept import ActionTeachConcept
from assistant.actions.teach_steps import ActionTeachSteps
from assistant.habits import pending
from assistant.habits.store import for_actions
from assistant.paths import PREFS_URL_ENV
from tests.assistant.actions.conftest import run_action

DIM = {"intent": "set_brightness", "confidence": 0.9,
       "entities": [{"entity": "room", "value": "living room", "start": 8, "end": 19}]}
TV_ON = {"intent": "turn_on", "confidence": 0.9, "entities": [{"entity": "device", "value": "tv", "start": 12, "end": 14}]}


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "prefs.db"
    monkeypatch.setenv(PREFS_URL_ENV, f"sqlite:///{path}")
    return path


def teaching(make_tracker, name: str, steps: list[tuple[str, dict[str, Any] | None]], **kw: Any):
    tracker = make_tracker(f"when I say {name}, " + " and ".join(s for s, _ in steps), "teach_concept",
                           entities=[{"entity": "concept", "value": name}], **kw)
    tracker.latest_message["habits_phrase"] = {"intent": "teach_concept", "name": name,
                                               "steps": [s for s, _ in steps]}
    tracker.latest_message["metadata"]["habits"] = {
        "steps": [{"text": s, "parse": p} for s, p in steps],
        "name": {"intent": "nlu_fallback", "confidence": 0.4, "entities": []}}
    return tracker


def outcome(tracker, action) -> tuple[list, list[str], dict]:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    custom = {k: v for m in dispatcher.messages for k, v in (m.get("custom") or {}).items()}
    return events, texts, custom


def test_a_teaching_is_dry_run_and_stored_with_its_parses(make_tracker) -> None:
    tracker = teaching(make_tracker, "movie time", [("dim the living room lights", DIM), ("turn on the tv", TV_ON)])
    events, texts, custom = outcome(tracker, ActionTeachConcept())
    assert texts == ["Okay: when you say \"movie time\", I'll dim the living room lights, then turn on the tv."]
    assert custom["habits"] == {"intent": "teach_concept", "outcome": "saved"} and events == []
    [concept] = for_actions().concepts("alice")
    assert concept.steps == ("dim the living room lights", "turn on the tv") and concept.parses == (DIM, TV_ON)


@pytest.mark.parametrize("step, parse, failure", [
    ("open the windows", {"intent": "open_device", "confidence": 0.8, "entities": []}, "no_device"),
    ("I like jazz", {"intent": "state_preference", "confidence": 0.9, "entities": []}, "not_a_step"),
    ("turn on the sauna", None, "not_a_step"),
])
def test_a_step_that_cannot_work_saves_nothing_and_says_why(make_tracker, step, parse, failure) -> None:
    tracker = teaching(make_tracker, "cozy", [("dim the living room lights", DIM), (step, parse)])
    _, texts, custom = outcome(tracker, ActionTeachConcept())
    assert texts[-1].endswith("Nothing was saved.") and f"\"{step}\"" in texts[-1]
    assert custom["habits"] == {"intent": "teach_concept", "outcome": failure}
    assert for_actions().concepts("alice") == []


def test_a_name_the_model_knows_well_is_refused(make_tracker) -> None:
    tracker = teaching(make_tracker, "lights out", [("turn on the tv", TV_ON)])
    tracker.latest_message["metadata"]["habits"]["name"] = {"intent": "turn_off", "confidence": 0.99}
    _, texts, custom = outcome(tracker, ActionTeachConcept())
    assert custom["habits"]["outcome"] == "name_is_command" and "already means something" in texts[0]


def test_steps_answering_the_offer_ask_to_confirm_then_a_yes_stores_them(make_tracker) -> None:
    asked = pending.ask(pending.Waiting.STEPS, "party mode", 100.0)
    tracker = make_tracker("turn on the tv", "turn_on", entities=TV_ON["entities"], slots=asked)
    events, texts, custom = outcome(tracker, ActionTeachSteps())
    assert texts == ["So \"party mode\" means: turn on the tv. Shall I remember that?"]
    assert custom["habits"] == {"intent": "teach_concept", "outcome": "confirm"}   # the turn's meaning, typed
    slots = {e["name"]: e["value"] for e in events}
    assert slots[pending.PENDING] == "confirm" and slots[pending.PENDING_NAME] == "party mode"
    assert for_actions().concepts("alice") == []
    yes = make_tracker("yes", "affirm", slots=slots)
    events, texts, _ = run_action(ActionHabitsAnswer(), yes)
    assert {e["name"]: e["value"] for e in events} == pending.cleared()
    [concept] = for_actions().concepts("alice")
    assert concept.name == "party mode" and concept.steps == ("turn on the tv",)
    assert concept.parses[0]["intent"] == "turn_on"


def test_running_a_concept_returns_every_steps_directives_at_once(make_tracker, home) -> None:
    home.set_state("living_room_tv", {"power": "off"})
    for_actions().save_concept("alice", "movie time", ["dim the living room lights", "turn on the tv",
                                                       "fly to the moon"], [DIM, TV_ON, None])
    tracker = make_tracker("movie time", "run_concept", device="living_room_tv",
                           entities=[{"entity": "concept", "value": "movie time"}])
    _, texts, custom = outcome(tracker, ActionRunConcept())
    assert texts[0] == "Movie time:"
    assert texts[-1] == "Step 3 (\"fly to the moon\") didn't work; the other steps ran."
    assert custom["concept"] == {"name": "movie time", "steps": 3, "failed": [3]}
    assert any(d.startswith("turn_on living_room_tv") for d in custom["directives"]), custom["directives"]
    assert any("living_room_light" in d for d in custom["directives"]), custom["directives"]


def test_a_step_whose_action_tags_a_problem_fails(make_tracker) -> None:
    import asyncio

    tracker = make_tracker("x", "run_concept", device="kitchen_speaker")
    film = {"intent": "play_media", "confidence": 0.9,
            "entities": [{"entity": "media_title", "value": "the matrix", "start": 5, "end": 15}]}
    [run] = asyncio.run(run_steps([("play the matrix", film)], tracker, {}))
    assert run.failure is StepFailure.PROBLEM and run.directives == [], run   # a film on a speaker


def test_forgetting_a_concept(make_tracker) -> None:
    for_actions().save_concept("alice", "movie time", ["turn on the tv"], [TV_ON])
    tracker = make_tracker("forget movie time", "forget_concept", entities=[{"entity": "concept", "value": "movie time"}])
    _, texts, _ = run_action(ActionForgetConcept(), tracker)
    assert for_actions().concepts("alice") == []


@pytest.mark.parametrize("waiting, intent, at, now, lapses", [
    ("steps", "turn_on", 100.0, 130.0, False),
    ("steps", "deny", 100.0, 130.0, False),
    ("steps", "greet", 100.0, 130.0, True),                 # something else: the question is over
    ("confirm", "affirm", 100.0, 130.0, False),
    ("confirm", "turn_on", 100.0, 130.0, True),
    ("routine", "affirm", 100.0, 100.0 + 6 * 60, True),     # too late
    (None, "affirm", None, 130.0, False),
])
def test_the_open_question_lapses_unless_answered_in_time(make_tracker, waiting, intent, at, now, lapses) -> None:
    tracker = make_tracker("x", intent, slots={pending.PENDING: waiting, pending.PENDING_AT: at})
    tracker.latest_message["metadata"]["timestamp"] = now
    events = lapse_events(tracker, intent)
    assert ({e["name"]: e["value"] for e in events} == pending.cleared()) is lapses
    assert (events == []) is not lapses


@pytest.mark.parametrize("waiting, intent, reply", [
    ("steps", "deny", "Okay, never mind."),
    ("confirm", "deny", "Okay, I won't remember \"party mode\"."),
    ("routine", "deny", "Okay, I won't."),
    ("routine", "affirm", "Done: every morning after your alarm, I'll start the coffee."),
])
def test_the_answer_to_the_habits_question(make_tracker, waiting: str, intent: str, reply: str) -> None:
    from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey
    from assistant.services import preferences

    preferences._open.cache_clear()
    slots = pending.ask(pending.Waiting(waiting), "party mode", 100.0)
    events, texts, _ = run_action(ActionHabitsAnswer(), make_tracker("x", intent, slots=slots))
    assert texts == [reply] and {e["name"]: e["value"] for e in events} == pending.cleared()
    routine = preferences.store().first_liked("alice", PrefKey.MORNING_ROUTINE)
    assert routine == (COFFEE_AFTER_ALARM if (waiting, intent) == ("routine", "affirm") else None)
    assert for_actions().concepts("alice") == []
    preferences._open.cache_clear()


def test_a_step_the_home_would_refuse_fails(make_tracker) -> None:
    # 500 degrees is past what the oven takes: device control says "I can't do that" and tags
    # the refusal, so the step fails instead of being saved as one that works.
    import asyncio

    tracker = make_tracker("x", "run_concept", device="kitchen_speaker")
    hot = {"intent": "set_temperature", "confidence": 0.9,
           "entities": [{"entity": "device", "value": "oven", "start": 8, "end": 12},
                        {"entity": "number", "value": "500", "start": 16, "end": 19}]}
    [run] = asyncio.run(run_steps([("set the oven to 500 degrees", hot)], tracker, {}))
    assert run.failure is StepFailure.PROBLEM and run.directives == [], run


def test_a_refused_step_is_explained_in_one_sentence_and_nothing_is_saved(make_tracker) -> None:
    hot = {"intent": "set_temperature", "confidence": 0.9,
           "entities": [{"entity": "device", "value": "oven", "start": 8, "end": 12},
                        {"entity": "number", "value": "500", "start": 16, "end": 19}]}
    tracker = teaching(make_tracker, "cozy", [("set the oven to 500 degrees", hot)])
    _, texts, custom = outcome(tracker, ActionTeachConcept())
    assert texts[-1] == ("I can't \"set the oven to 500 degrees\" here: the oven can be set between 50 and 290 "
                         "degrees, not 500. Nothing was saved.")
    assert custom["habits"] == {"intent": "teach_concept", "outcome": "problem"}
    assert for_actions().concepts("alice") == []
