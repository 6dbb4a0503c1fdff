"""Unknown entity values are answered honestly: "I don't have X", with something close on offer,
and nothing is played or forecast in its place."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.play_media import ActionPlayMedia
from assistant.actions.weather import ActionWeather
from tests.assistant.actions.conftest import run_action

# Entity repair off (the baseline arm): what is not in the library is said to be missing, with the
# closest on offer. With repair on, a misheard name clearly ahead is played (tests/.../test_repair_hooks.py).
NO_REPAIR = {"global_repair": False, "personal_repair": False}


def _tracker(text: str, intent: str, entities: list[dict] | None = None, slots: dict | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or [],
              "metadata": {"user_id": "alice", "device_id": "kitchen_speaker", "learning": NO_REPAIR}}
    return Tracker("alice", slots or {}, latest, [], False, None, {}, "action_listen")


@pytest.mark.parametrize(("text", "entities", "reply"), [
    ("play that song from the lion king", [],
     'I don\'t have "lion king" in the library. I can play artists such as Imagine Dragons, Coldplay or Queen, '
     "or genres such as rock, pop or jazz."),
    ("put on some tunes by Beyonce", [],
     'I don\'t have "beyonce" in the library. I can play artists such as Imagine Dragons, Coldplay or Queen, '
     "or genres such as rock, pop or jazz."),
    ("play maj and dragons", [],
     'I don\'t have "maj and dragons" in the library. The closest I have is Imagine Dragons '
     '(say "play Imagine Dragons").'),
    ("play Beyonce", [{"entity": "artist", "value": "Beyonce"}],
     'I don\'t have "Beyonce" in the library. I can play artists such as Imagine Dragons, Coldplay or Queen, '
     "or genres such as rock, pop or jazz."),
])
def test_unknown_media_says_so_and_plays_nothing(text: str, entities: list[dict], reply: str) -> None:
    dispatcher = CollectingDispatcher()
    import asyncio

    events = asyncio.run(ActionPlayMedia().run(dispatcher, _tracker(text, "play_media", entities), {}))
    assert events == []
    assert [m.get("text") for m in dispatcher.messages] == [reply]
    assert [m["custom"] for m in dispatcher.messages] == [{"problem": "NOT_FOUND"}]


def test_a_known_title_still_plays() -> None:
    _, texts, directives = run_action(ActionPlayMedia(), _tracker("play the hunger games", "play_media"))
    assert texts == ["Playing The Hunger Games (audiobook)."]
    assert directives == ["play kitchen_speaker The Hunger Games|audiobook"]


@pytest.mark.parametrize(("text", "entities", "reply"), [
    ("what's the weather in tokyo", [],
     "I don't have weather for Tokyo. I have weather for Austin, Boston, Chicago, Denver and 10 other cities."),
    ("is it raining in Tacoma", [{"entity": "city", "value": "Tacoma"}],
     "I don't have weather for Tacoma. I have weather for Austin, Boston, Chicago, Denver and 10 other cities."),
])
def test_unknown_city_says_so(text: str, entities: list[dict], reply: str) -> None:
    events, texts, directives = run_action(ActionWeather(), _tracker(text, "ask_weather", entities))
    assert (events, texts, directives) == ([], [reply], [])


def test_a_misspelt_city_is_the_city() -> None:
    _, texts, _ = run_action(ActionWeather(), _tracker("weather in seatle", "ask_weather"))
    assert texts[0].startswith("In Seattle, Washington today:")


def test_a_region_answer_is_not_taken_for_a_city() -> None:
    _, texts, _ = run_action(ActionWeather(), _tracker("the one in california", "inform_place",
                                                       slots={"pending_city": "Wilkerson"}))
    assert texts[0].startswith("In Wilkerson, California today:")
