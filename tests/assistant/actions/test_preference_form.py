"""The guided Q&A's actions: questions, validation (stored at once), and the summary."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.ask_qa import AskQuestion
from assistant.actions.preference_summary import ActionPreferenceSummary
from assistant.actions.validate_preference_form import ValidatePreferenceForm
from assistant.paths import PREFS_URL_ENV
from assistant.prefs import qa
from assistant.prefs.keys import Polarity, PrefKey, Source
from assistant.services import preferences as svc
from tests.assistant.actions.conftest import run_action

SLOTS = [qa.slot_for(k) for k in qa.QA_KEYS]




def validate(key: PrefKey, text: str, make_tracker, slots: dict | None = None,
             intent: str = "inform", confidence: float = 0.99) -> tuple[dict, list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, slots=slots or {}, confidence=confidence)
    method = getattr(ValidatePreferenceForm(), f"validate_{qa.slot_for(key)}")
    result = asyncio.run(method(text, dispatcher, tracker, {}))
    return result, [m["text"] for m in dispatcher.messages]


def required(make_tracker, slots: dict | None = None) -> list[str]:
    tracker = make_tracker("learn my preferences", "learn_preferences", slots=slots or {})
    return asyncio.run(ValidatePreferenceForm().required_slots(SLOTS, CollectingDispatcher(), tracker, {}))


def test_everything_is_asked_of_a_new_user(store, make_tracker) -> None:
    assert required(make_tracker) == SLOTS


def test_known_categories_are_not_asked_again(store, make_tracker) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    store.set("alice", PrefKey.CUISINE, "thai", Polarity.DISLIKE)  # a dislike doesn't answer the question
    store.set("bob", PrefKey.SPORTS_TEAM, "Boston Celtics")          # another user's answer doesn't either
    assert required(make_tracker) == [s for s in SLOTS if s != "qa_music_genre"]


def test_stale_categories_are_asked_again(tmp_path, monkeypatch, make_tracker) -> None:
    from assistant.prefs.store import PreferenceStore

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with PreferenceStore.open(url, now=lambda: dt.datetime(2020, 1, 1)) as old:
        old.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    monkeypatch.setenv(PREFS_URL_ENV, url)
    svc._open.cache_clear()
    try:
        assert required(make_tracker) == SLOTS
    finally:
        svc._open.cache_clear()


def test_stop_asks_nothing_more(store, make_tracker) -> None:
    assert required(make_tracker, {"qa_stopped": True}) == []


def test_an_answer_is_stored_at_once(store, make_tracker) -> None:
    result, texts = validate(PrefKey.SPORTS_TEAM, "the Seahawks", make_tracker)
    assert result == {"qa_sports_team": "Seattle Seahawks", "qa_suggestion": None}
    assert texts == []
    [pref] = store.get("alice")
    assert (pref.key, pref.value, pref.source) == (PrefKey.SPORTS_TEAM, "Seattle Seahawks", Source.QA)


def test_invalid_answer_reprompts_with_a_suggestion_then_yes_accepts(store, make_tracker) -> None:
    result, texts = validate(PrefKey.SPORTS_TEAM, "Warrior", make_tracker)
    assert result == {"qa_sports_team": None, "qa_suggestion": "Golden State Warriors"}
    assert texts == ["I don't know the team 'Warrior'. Did you mean the Golden State Warriors?"]
    assert store.get("alice") == []
    result, _ = validate(PrefKey.SPORTS_TEAM, "yes", make_tracker, {"qa_suggestion": "Golden State Warriors"})
    assert result["qa_sports_team"] == "Golden State Warriors"
    assert store.first_liked("alice", PrefKey.SPORTS_TEAM) == "Golden State Warriors"


def test_skip_stores_nothing(store, make_tracker) -> None:
    result, _ = validate(PrefKey.CUISINE, "skip", make_tracker)
    assert result == {"qa_cuisine": qa.SKIPPED, "qa_suggestion": None}
    assert store.get("alice") == []


def test_stop_ends_the_form(store, make_tracker) -> None:
    result, _ = validate(PrefKey.CUISINE, "that's enough", make_tracker)
    assert result == {"qa_cuisine": None, "qa_stopped": True, "qa_suggestion": None}


def test_changing_another_answer_mid_form(store, make_tracker) -> None:
    store.set("alice", PrefKey.TEMPERATURE_UNIT, "fahrenheit")
    result, texts = validate(PrefKey.CUISINE, "actually I prefer Celsius", make_tracker)
    assert result == {"qa_cuisine": None, "qa_suggestion": None}
    assert texts == ["Noted: you prefer Celsius."]
    assert store.liked("alice", PrefKey.TEMPERATURE_UNIT) == ["celsius"]


@pytest.mark.parametrize("text", ["'; DROP TABLE preferences; --", "x" * 5000, "🍕🍕🍕"])
def test_hostile_answers_store_nothing(store, make_tracker, text: str) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz")
    result, texts = validate(PrefKey.CUISINE, text, make_tracker)
    assert result["qa_cuisine"] is None and len(texts) == 1
    assert [(p.key, p.value) for p in store.get("alice")] == [(PrefKey.MUSIC_GENRE, "jazz")]


def test_the_first_question_comes_with_the_introduction(make_tracker) -> None:
    ask = next(cls for cls in AskQuestion.__subclasses__() if cls.key is PrefKey.MUSIC_GENRE)()
    assert ask.name() == "action_ask_qa_music_genre"
    _, texts, _ = run_action(ask, make_tracker("learn my preferences", "learn_preferences"))
    assert texts == [f"{qa.INTRO} What kind of music do you like?"]
    _, texts, _ = run_action(ask, make_tracker("jaz", "inform"))
    assert texts == ["What kind of music do you like?"]


def test_there_is_a_question_action_per_category() -> None:
    assert sorted(cls.key.value for cls in AskQuestion.__subclasses__()) == sorted(k.value for k in qa.QA_KEYS)


def test_summary_lists_what_was_learnt_and_skipped_then_resets(make_tracker) -> None:
    slots = {"qa_music_genre": "jazz", "qa_sports_team": "Golden State Warriors", "qa_cuisine": qa.SKIPPED}
    events, texts, _ = run_action(ActionPreferenceSummary(), make_tracker("no", "deny", slots=slots))
    assert texts == ["Thanks! I learnt that you like jazz and you're a Golden State Warriors fan. "
                     "Skipped: cuisine. You can change any of it by telling me, like \"I prefer Celsius\"."]
    assert events == [SlotSet("qa_music_genre", None), SlotSet("qa_sports_team", None), SlotSet("qa_cuisine", None)]


def test_summary_when_stopped_at_once(make_tracker) -> None:
    events, texts, _ = run_action(ActionPreferenceSummary(), make_tracker("stop", "stop", slots={"qa_stopped": True}))
    assert texts[0].startswith("Okay, stopping. I didn't learn anything new.")
    assert events == [SlotSet("qa_stopped", None)]


def test_summary_when_there_was_nothing_to_ask(make_tracker) -> None:
    _, texts, _ = run_action(ActionPreferenceSummary(), make_tracker("learn my preferences", "learn_preferences"))
    assert texts[0].startswith("I already know all of your preferences.")


def test_a_request_instead_of_an_answer_ends_the_questions_and_is_answered(store, make_tracker) -> None:
    result, texts = validate(PrefKey.MUSIC_GENRE, "tell me the weather", make_tracker, intent="ask_weather")
    assert result["qa_stopped"] is True and result[qa.slot_for(PrefKey.MUSIC_GENRE)] is None
    assert texts == ["Let's leave the questions there."]
    assert store.get("alice") == []
    # The summary then hands the request to the action the rules give it, after what was learnt.
    # It is answered within the summary (a FollowupAction left the policies to guess what came next).
    events, texts, _ = run_action(ActionPreferenceSummary(), make_tracker(
        "tell me the weather", "ask_weather", slots={"qa_stopped": True, "qa_sports_team": "Chicago Bulls"}))
    assert texts[0] == "I learnt that you're a Chicago Bulls fan."
    assert texts[1].startswith("In Seattle, Washington today:")
    assert not any(isinstance(e, dict) and e.get("event") == "followup" for e in events)
    assert SlotSet("qa_stopped", None) in events


def test_a_request_that_only_sounds_like_an_answer_ends_the_questions(store, make_tracker) -> None:
    # "local" sounds like "classical" (a suggestion by sound), but NLU is sure of a request.
    result, texts = validate(PrefKey.MUSIC_GENRE, "best restaurant in local area", make_tracker,
                             intent="find_restaurant")
    assert result["qa_stopped"] is True and texts == ["Let's leave the questions there."]
    # A request no single action answers keeps the suggestion.
    kept, texts = validate(PrefKey.MUSIC_GENRE, "best restaurant in local area", make_tracker, intent="greet")
    assert "qa_stopped" not in kept and texts[0].startswith("I don't know the music genre")


def test_a_request_no_single_action_answers_is_to_be_asked_again(store, make_tracker) -> None:
    result, texts = validate(PrefKey.MUSIC_GENRE, "tell me a joke", make_tracker, intent="teach_concept")
    assert result["qa_stopped"] is True
    assert texts == ['Let\'s leave the questions there. You asked "tell me a joke": '
                     "ask me again and I'll help with that."]
    events, texts, _ = run_action(ActionPreferenceSummary(), make_tracker(
        "tell me a joke", "teach_concept", slots={"qa_stopped": True}))
    assert texts[0].startswith("Okay, stopping.") and events == [SlotSet("qa_stopped", None)]


def test_a_fairly_sure_request_ends_the_questions_too(store, make_tracker) -> None:
    # A simulated person's words, which the classifier read as turn_on at 0.79.
    result, texts = validate(PrefKey.MUSIC_GENRE, "bedroom lights on please", make_tracker, intent="turn_on",
                             confidence=0.79)
    assert result["qa_stopped"] is True and texts[0].startswith("Let's leave the questions there.")
    assert store.get("alice") == []


def test_an_unsure_request_or_a_near_miss_is_asked_again(store, make_tracker) -> None:
    unsure, _ = validate(PrefKey.MUSIC_GENRE, "tell me the weather", make_tracker, intent="ask_weather",
                         confidence=0.5)
    near, texts = validate(PrefKey.MUSIC_GENRE, "jazzz", make_tracker, intent="play_media")
    assert "qa_stopped" not in unsure and "qa_stopped" not in near
    assert "jazz" in texts[0]
