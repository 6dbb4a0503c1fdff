"""Offers to learn on a teachable moment, the answers to them, and the check question."""

from __future__ import annotations

import time

import pytest
from rasa_sdk.events import SlotSet

from assistant.actions.check_answer import ActionCheckAnswer
from assistant.actions.offer_teaching import ActionOfferTeaching
from assistant.actions.take_teaching import ActionTakeTeaching
from assistant.actions.validate_slot_mappings import ValidateSlotMappings
from assistant.actions.yes_no import ActionYesNo
from assistant.prefs.keys import PrefKey, Source
from tests.assistant.actions.conftest import run_action

REPEAT = {"signals": ["repeat"], "failing_intent": "play_media", "failing_text": "play music", "similarity": 0.97}




def test_a_repeat_offers_to_learn_the_failing_category(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": REPEAT}))
    assert texts == ["Sorry I keep getting that wrong. What kind of music do you like? I'll remember it."]
    assert events == [SlotSet("pending_question", "offer:music_genre")]


def test_with_learning_switched_off_a_complaint_gets_an_apology_and_no_offer(store, make_tracker) -> None:
    tracker = make_tracker("that's wrong", "complain", slots={"teachable_moment": REPEAT})
    tracker.latest_message["metadata"]["learning"] = {"teachable": False}
    events, texts, _ = run_action(ActionOfferTeaching(), tracker)
    assert texts == ["Sorry about that. Could you say it another way?"]
    assert events == [SlotSet("pending_question", None)]


def test_no_offer_when_the_category_is_known_or_recently_declined(store, make_tracker) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": REPEAT}))
    assert texts == ["Sorry I keep getting that wrong. Could you say it another way?"]
    assert events == [SlotSet("pending_question", None)]
    store.forget("alice")
    declined = {"music_genre": time.time() - 60}
    _, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": REPEAT, "teaching_declined": declined}))
    assert texts == ["Sorry I keep getting that wrong. Could you say it another way?"]
    long_ago = {"music_genre": time.time() - 3 * 24 * 3600}
    _, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": REPEAT, "teaching_declined": long_ago}))
    assert "What kind of music do you like?" in texts[0]


def test_an_answer_to_the_offer_is_stored_as_assistant_initiated(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "jazz", "play_media", slots={"pending_question": "offer:music_genre"}))
    assert texts == ["Thanks, I'll remember that you like jazz."]
    assert events == [SlotSet("pending_question", None)]
    [pref] = store.get("alice")
    assert (pref.key, pref.value, pref.source) == (PrefKey.MUSIC_GENRE, "jazz", Source.ASSISTANT)


@pytest.mark.parametrize(("text", "intent"), [("no thanks", "deny"), ("skip", "stop"), ("stop", "stop")])
def test_declining_is_remembered_and_nothing_stored(store, make_tracker, text: str, intent: str) -> None:
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        text, intent, slots={"pending_question": "offer:music_genre"}))
    assert texts == ["Okay, I won't ask about that for a while."]
    assert events[0] == SlotSet("pending_question", None)
    assert events[1]["name"] == "teaching_declined" and "music_genre" in events[1]["value"]
    assert store.get("alice") == []


def test_an_offer_lapses_when_the_user_asks_something_else(make_tracker) -> None:
    tracker = make_tracker("turn on the lights", "turn_on", slots={"pending_question": "offer:music_genre"})
    events, _, _ = run_action(ValidateSlotMappings(), tracker)
    assert SlotSet("pending_question", None) in events
    tracker = make_tracker("jazz please", "play_media", slots={"pending_question": "offer:music_genre"})
    events, _, _ = run_action(ValidateSlotMappings(), tracker)
    assert SlotSet("pending_question", None) not in events


def test_check_question_then_no_is_a_moment(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionCheckAnswer(), make_tracker("find me food", "find_restaurant"))
    assert texts == ["Did I answer your question?"]
    assert events == [SlotSet("pending_question", "check:find_restaurant")]
    events, texts, _ = run_action(ActionYesNo(), make_tracker(
        "no", "deny", slots={"pending_question": "check:find_restaurant"}))
    assert texts == ["Sorry about that. What kind of food do you like? I'll remember it."]
    assert events[0]["name"] == "teachable_moment" and events[0]["value"]["signals"] == ["no_to_check"]
    assert events[1] == SlotSet("pending_question", "offer:cuisine")


def test_check_question_then_yes(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionYesNo(), make_tracker(
        "yes", "affirm", slots={"pending_question": "check:find_restaurant"}))
    assert (events, texts) == ([SlotSet("pending_question", None)], ["Great."])


def test_an_invalid_answer_asks_again_and_keeps_the_offer(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "Wilkerson", "inform_place", slots={"pending_question": "offer:home_city"}))
    assert texts == ["Which Wilkerson: Wilkerson, California or Wilkerson, Washington?"]
    assert events == []
    assert store.get("alice") == []
