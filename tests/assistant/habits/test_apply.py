"""Inferred preferences in play_media and "what do you know about me?"."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.list_preferences import ActionListPreferences
from assistant.actions.play_media import ActionPlayMedia
from assistant.habits import store as habit_store
from assistant.prefs.keys import Polarity, PrefKey, Source


def tracker(text: str, intent: str) -> Tracker:
    from assistant.context import build_context
    from assistant.home import Home

    metadata = {"user_id": "alice", "device_id": "kitchen_speaker",
                "context": build_context(Home.default(), "kitchen_speaker")}
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": [], "metadata": metadata}
    return Tracker("alice", {}, latest, [], False, None, {}, "action_listen")


def texts(action, text: str, intent: str) -> list[str]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(text, intent), {}))
    return [m["text"] for m in dispatcher.messages if m.get("text")]


@pytest.fixture
def habits(store):
    habit_store._OPENED.clear()
    yield habit_store.for_actions()
    habit_store._OPENED.clear()


def test_an_inferred_genre_plays_and_says_why(store) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, Source.IMPLICIT, 0.8)
    assert texts(ActionPlayMedia(), "play some music", "play_media") == [
        "Playing some jazz, which you often listen to."]


def tags(action, text: str, intent: str) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(text, intent), {}))
    return [m["custom"] for m in dispatcher.messages if m.get("custom") and "implicit" in m["custom"]]


@pytest.mark.parametrize("source, expected", [(Source.IMPLICIT, [{"implicit": ["jazz"]}]), (Source.STATEMENT, [])])
def test_only_an_inferred_choice_is_tagged_for_the_runtime(store, source: Source, expected: list) -> None:
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, source, 0.8)
    assert tags(ActionPlayMedia(), "play some music", "play_media") == expected
    assert tags(ActionPlayMedia(), "play some rock", "play_media") == []   # the user chose


def test_a_stated_preference_beats_a_newer_inference(store) -> None:
    store.set("alice", PrefKey.MUSIC_ARTIST, "Queen", Polarity.LIKE, Source.STATEMENT)
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, Source.IMPLICIT, 0.9)
    assert texts(ActionPlayMedia(), "play some music", "play_media") == ["Playing Queen, since you like it."]


def test_the_listing_marks_inferred_ones_and_names_concepts(store, habits) -> None:
    store.set("alice", PrefKey.SPORTS_TEAM, "Golden State Warriors")
    store.set("alice", PrefKey.MUSIC_GENRE, "jazz", Polarity.LIKE, Source.IMPLICIT, 0.8)
    habits.save_concept("alice", "movie time", ["dim the lights", "turn on the tv"])
    [said] = texts(ActionListPreferences(), "what do you know about me", "ask_my_preferences")
    assert "you like jazz (inferred from what you do)" in said
    assert "Warriors fan" in said and "(inferred" not in said.split("Warriors fan")[0][-20:]
    assert "\"movie time\" means: dim the lights, then turn on the tv" in said


def test_the_listing_without_inferences_is_unchanged(store, habits) -> None:
    [said] = texts(ActionListPreferences(), "what do you know about me", "ask_my_preferences")
    assert said.startswith("I don't know anything about you yet.")
