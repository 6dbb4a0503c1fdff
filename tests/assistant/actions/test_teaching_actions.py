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
from assistant.prefs.keys import Polarity, PrefKey, Source
from tests.assistant.actions.conftest import run_action

REPEAT = {"signals": ["repeat"], "failing_intent": "play_media", "failing_text": "play music", "similarity": 0.97,
          "key": "music_genre"}
GUESS = {"signals": ["needs_preference"], "failing_intent": "play_media", "failing_text": "play music",
         "similarity": None, "key": "music_genre"}


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


def test_a_failure_offers_even_when_a_value_was_inferred_since_it_did_not_serve(store, make_tracker) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, Source.IMPLICIT)
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": REPEAT}))
    assert texts == ["Sorry I keep getting that wrong. What kind of music do you like? I'll remember it."]
    assert events == [SlotSet("pending_question", "offer:music_genre")]


@pytest.mark.parametrize("source", [Source.STATEMENT, Source.ASSISTANT, Source.QA])
def test_a_failure_asks_to_rephrase_when_the_user_told_the_value(store, make_tracker, source: Source) -> None:
    """The answer had the user's own value: what failed is more likely the request understood."""
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, source)
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": REPEAT}))
    assert texts == ["Sorry I keep getting that wrong. Could you say it another way?"]
    assert events == [SlotSet("pending_question", None)]


def test_no_offer_when_the_failed_answer_rested_on_no_preference(store, make_tracker) -> None:
    """A misheard name or a wrong intent: no preference would have helped, so none is asked for."""
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play imagine dragons", "play_media", slots={"teachable_moment": {**REPEAT, "key": None}}))
    assert texts == ["Sorry I keep getting that wrong. Could you say it another way?"]
    assert events == [SlotSet("pending_question", None)]


def test_a_guess_for_want_of_a_preference_asks_for_it_once(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": GUESS}))
    assert texts == ["What kind of music do you like? I'll remember it."]
    assert events == [SlotSet("pending_question", "offer:music_genre")]
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")   # known by now: nothing more is said
    events, texts, _ = run_action(ActionOfferTeaching(), make_tracker(
        "play music", "play_media", slots={"teachable_moment": GUESS}))
    assert (events, texts) == ([SlotSet("pending_question", None)], [])


def test_no_offer_when_recently_declined(store, make_tracker) -> None:
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
    assert events == [SlotSet("pending_question", None), SlotSet("qa_suggestion", None)]
    [pref] = store.get("alice")
    assert (pref.key, pref.value, pref.source) == (PrefKey.MUSIC_GENRE, "jazz", Source.ASSISTANT)
    assert pref.evidence == "jazz" and pref.evidence_turn.startswith("alice:")


def test_a_value_is_an_answer_whatever_intent_nlu_gave_it(store, make_tracker) -> None:
    """ "hip hop" once came back as the stop intent, and the offer was taken as declined."""
    _, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "hip hop", "stop", slots={"pending_question": "offer:music_genre"}))
    assert texts == ["Thanks, I'll remember that you like hip hop."]
    assert [p.value for p in store.get("alice")] == ["hip hop"]


def test_a_misheard_answer_is_confirmed_before_it_is_stored(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "pay trio ts", "out_of_scope", slots={"pending_question": "offer:sports_team"}))
    assert texts == ["I don't know the team 'pay trio ts'. Did you mean the New England Patriots?"]
    assert events == [SlotSet("qa_suggestion", "New England Patriots")]
    assert store.get("alice") == []
    _, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "yes", "affirm", slots={"pending_question": "offer:sports_team", "qa_suggestion": "New England Patriots"}))
    assert texts == ["Thanks, I'll remember that you're a New England Patriots fan."]
    assert [p.value for p in store.get("alice")] == ["New England Patriots"]


@pytest.mark.parametrize(("text", "intent"), [("no thanks", "deny"), ("skip", "stop"), ("stop", "stop"),
                                            ("will you shut down please", "close_device"),
                                            ("it is unimportant for me", "state_preference")])
def test_declining_is_remembered_and_nothing_stored(store, make_tracker, text: str, intent: str) -> None:
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        text, intent, slots={"pending_question": "offer:music_genre"}))
    assert texts == ["Okay, I won't ask about that for a while."]
    assert events[0] == SlotSet("pending_question", None)
    assert events[-1]["name"] == "teaching_declined" and "music_genre" in events[-1]["value"]
    assert store.get("alice") == []


def test_an_offer_lapses_when_the_user_asks_something_else(make_tracker) -> None:
    tracker = make_tracker("turn on the lights", "turn_on", slots={"pending_question": "offer:music_genre"})
    events, _, _ = run_action(ValidateSlotMappings(), tracker)
    assert SlotSet("pending_question", None) in events
    tracker = make_tracker("jazz please", "play_media", slots={"pending_question": "offer:music_genre"})
    events, _, _ = run_action(ValidateSlotMappings(), tracker)
    assert SlotSet("pending_question", None) not in events


@pytest.mark.parametrize(("text", "intent", "lapses"), [
    ("i am sorry but you did not interpret command right", "nlu_fallback", False),   # a no: the policy's
    ("thanks but that is not the correct answer", "thank", False),
    ("purple elephants", "nlu_fallback", True),
    ("do not disturb me", "turn_off", True),
])
def test_a_check_lasts_through_a_no_in_other_words(make_tracker, text: str, intent: str, lapses: bool) -> None:
    tracker = make_tracker(text, intent, slots={"pending_question": "check:play_media|music_genre"})
    events, _, _ = run_action(ValidateSlotMappings(), tracker)
    assert (SlotSet("pending_question", None) in events) is lapses


def test_check_question_then_no_is_a_moment(store, make_tracker) -> None:
    tracker = make_tracker("find me food", "find_restaurant")
    tracker.events = [{"event": "user", "text": "find me food"},
                      {"event": "bot", "text": "Some places", "data": {"custom": {"rested_on": {"key": "cuisine",
                                                                                                 "stored": False}}}}]
    events, texts, _ = run_action(ActionCheckAnswer(), tracker)
    assert texts == ["Did I answer your question?"]
    assert events == [SlotSet("pending_question", "check:find_restaurant|cuisine")]
    events, texts, _ = run_action(ActionYesNo(), make_tracker(
        "no", "deny", slots={"pending_question": "check:find_restaurant|cuisine"}))
    assert texts == ["Sorry about that. What kind of food do you like? I'll remember it."]
    assert events[0]["name"] == "teachable_moment" and events[0]["value"]["signals"] == ["no_to_check"]
    assert events[1] == SlotSet("pending_question", "offer:cuisine")


def test_a_no_to_a_check_on_an_answer_that_rested_on_nothing_offers_nothing(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionCheckAnswer(), make_tracker("turn on the lamp", "turn_on"))
    assert events == [SlotSet("pending_question", "check:turn_on")]
    events, texts, _ = run_action(ActionYesNo(), make_tracker("no", "deny", slots={"pending_question": "check:turn_on"}))
    assert texts == ["Sorry about that. Could you say it another way?"]
    assert events[1] == SlotSet("pending_question", None)


def test_a_home_statement_to_another_offer_is_told_as_a_statement(store, make_tracker) -> None:
    """ "i live in awesome, texas" to "What kind of music do you like?" is no music genre."""
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "i live in awesome, texas", "state_preference", slots={"pending_question": "offer:music_genre"}))
    assert texts == ["I didn't quite catch that. Did you mean Austin, Texas?"]
    assert events[-3:] == [SlotSet("pending_question", "offer:home_city"), SlotSet("qa_suggestion", "Austin, Texas"),
                           SlotSet("teachable_moment", None)]
    assert store.get("alice") == []
    _, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "i live in austin, texas", "state_preference", slots={"pending_question": "offer:music_genre"}))
    assert texts == ["Got it: your home city is Austin, Texas."]
    assert [(p.key, p.value) for p in store.get("alice")] == [(PrefKey.HOME_CITY, "Austin, Texas")]


def test_check_question_then_yes(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionYesNo(), make_tracker(
        "yes", "affirm", slots={"pending_question": "check:find_restaurant"}))
    assert (events, texts) == ([SlotSet("pending_question", None)], ["Great."])


def test_an_invalid_answer_asks_again_and_keeps_the_offer(store, make_tracker) -> None:
    events, texts, _ = run_action(ActionTakeTeaching(), make_tracker(
        "Wilkerson", "inform_place", slots={"pending_question": "offer:home_city"}))
    assert texts == ["Which Wilkerson: Wilkerson, California or Wilkerson, Washington?"]
    assert events == [SlotSet("qa_suggestion", None)]
    assert store.get("alice") == []
