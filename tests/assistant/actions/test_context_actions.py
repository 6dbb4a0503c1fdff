"""Actions whose answer depends on the ambient context."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from assistant.actions.device_state import ActionDeviceState
from assistant.actions.play_media import ActionPlayMedia
from assistant.actions.start_coffee import ActionStartCoffee
from assistant.actions.stop import ActionStop
from assistant.actions.tell_temperature import ActionTellTemperature
from assistant.actions.tell_time import ActionTellTime
from assistant.actions.validate_slot_mappings import ValidateSlotMappings
from assistant.actions.weather import ActionWeather
from tests.assistant.actions.conftest import run_action


def test_temperature_means_the_oven_when_it_is_on(home, make_tracker) -> None:
    assert home.set_state("oven", {"power": "on", "temperature": 180, "target_temperature": 180}).ok
    _, texts, _ = run_action(ActionTellTemperature(), make_tracker("what is the temperature", "ask_temperature"))
    assert texts == ["The oven is at 180 degrees."]


def test_temperature_means_indoors_when_the_oven_is_off(make_tracker) -> None:
    _, texts, _ = run_action(ActionTellTemperature(), make_tracker("what is the temperature", "ask_temperature"))
    assert texts == ["It's 21 degrees inside; the thermostat is set to 21."]


def test_temperature_outside_is_the_weather(make_tracker) -> None:
    _, texts, _ = run_action(ActionTellTemperature(), make_tracker("how warm is it outside", "ask_temperature"))
    assert texts[0].startswith("Outside in Seattle")


@pytest.mark.parametrize(
    ("device", "reply", "directive"),
    [
        ("living_room_tv", "Playing The Hunger Games (film).", "play living_room_tv The Hunger Games|film"),
        ("kitchen_speaker", "Playing The Hunger Games (audiobook).",
         "play kitchen_speaker The Hunger Games|audiobook"),
    ],
)
def test_hunger_games_by_screen(make_tracker, device, reply, directive) -> None:
    tracker = make_tracker("play the hunger games", "play_media", device=device,
                           entities=[{"entity": "media_title", "value": "hunger games"}])
    _, texts, sent = run_action(ActionPlayMedia(), tracker)
    assert texts == [reply]
    assert sent == [directive]


def test_alarm_clock_plays_on_a_device_in_its_room(make_tracker) -> None:
    tracker = make_tracker("play some jazz", "play_media", device="bedroom_alarm_clock",
                           entities=[{"entity": "genre", "value": "jazz"}])
    _, texts, sent = run_action(ActionPlayMedia(), tracker)
    assert texts == ["Playing some jazz on the bedroom speaker."]
    assert sent == ["play bedroom_speaker jazz|music"]


def test_start_brewing_means_the_coffee_maker(make_tracker) -> None:
    _, texts, sent = run_action(ActionStartCoffee(), make_tracker("start brewing", "start_coffee",
                                                                  device="bedroom_speaker"))
    assert sent == ["brew coffee_maker"]
    assert texts[0].startswith("Starting the coffee maker")


def test_garage_state(make_tracker) -> None:
    _, texts, _ = run_action(ActionDeviceState(), make_tracker("is the garage door open", "ask_device_state",
                                                               entities=[{"entity": "device", "value": "garage door"}]))
    assert texts == ["The garage door is closed."]


def test_weather_asks_which_wilkerson_then_answers(make_tracker) -> None:
    tracker = make_tracker("what's the weather in wilkerson", "ask_weather",
                           entities=[{"entity": "city", "value": "Wilkerson"}])
    events, texts, _ = run_action(ActionWeather(), tracker)
    assert texts == ["Which Wilkerson do you mean, California or Washington?"]
    assert events == [SlotSet("pending_city", "Wilkerson")]
    tracker = make_tracker("washington", "inform_place", slots={"pending_city": "Wilkerson"},
                           entities=[{"entity": "region", "value": "Washington"}])
    events, texts, _ = run_action(ActionWeather(), tracker)
    assert texts[0].startswith("In Wilkerson, Washington today:")
    assert events == [SlotSet("pending_city", None)]


def test_stop_stops_what_plays_in_the_room(home, make_tracker) -> None:
    assert home.set_state("kitchen_speaker", {"playing": {"title": "jazz", "format": "music"}}).ok
    _, texts, sent = run_action(ActionStop(), make_tracker("stop", "stop"))
    assert (texts, sent) == (["Okay, stopped."], ["stop kitchen_speaker"])


def test_tell_time(make_tracker) -> None:
    _, texts, _ = run_action(ActionTellTime(), make_tracker("what time is it", "ask_time"))
    assert texts == ["It's 7:00 AM."]


def test_context_slots(home, make_tracker) -> None:
    assert home.set_state("oven", {"power": "on"}).ok
    events, texts, _ = run_action(ValidateSlotMappings(), make_tracker("hi", "greet", device="living_room_tv"))
    assert texts == []
    assert events == [
        SlotSet("speaking_device", "living_room_tv"),
        SlotSet("room", "living_room"),
        SlotSet("has_screen", True),
        SlotSet("time_of_day", "morning"),
        SlotSet("oven_on", True),
    ]


@pytest.mark.parametrize(("intent", "lapses"), [("affirm", False), ("deny", False), ("turn_on", True),
                                                 ("greet", True)])
def test_a_pending_question_lapses_unless_answered(make_tracker, intent: str, lapses: bool) -> None:
    tracker = make_tracker("text", intent, slots={"pending_question": "forget:*"})
    events, _, _ = run_action(ValidateSlotMappings(), tracker)
    assert (SlotSet("pending_question", None) in events) is lapses


def test_a_forecast_is_tagged_with_the_city_the_user_asked_for_only(make_tracker) -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    def tags(tracker) -> list[dict]:
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionWeather().run(dispatcher, tracker, {}))
        return [m["custom"] for m in dispatcher.messages if m.get("custom")]

    named = make_tracker("what's the weather in miami", "ask_weather", entities=[{"entity": "city", "value": "Miami"}])
    assert tags(named) == [{"answered": {"city": "Miami, Florida"}, "asked_city": "Miami, Florida"}]
    home = tags(make_tracker("what's the weather", "ask_weather"))   # the home city, filled in
    assert home == [{"answered": {"city": "Seattle, Washington"},
                     "rested_on": {"key": "home_city", "stored": False, "guess": "Seattle, Washington"}}]


def _custom(action, tracker) -> list[dict]:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def test_answers_are_tagged_with_what_they_were_about(make_tracker) -> None:
    from assistant.actions.ask_qa import AskMusicGenre
    from assistant.actions.find_restaurant import ActionFindRestaurant
    from assistant.actions.team_score import ActionTeamScore

    assert _custom(ActionTeamScore(), make_tracker("how did the lakers do", "ask_team_score")) == [
        {"answered": {"team": "Los Angeles Lakers"}}]
    assert _custom(ActionFindRestaurant(), make_tracker("find me a thai place", "find_restaurant")) == [
        {"answered": {"cuisine": "thai"}}]
    assert _custom(AskMusicGenre(), make_tracker("learn my preferences", "learn_preferences")) == [
        {"answered": {"questions": "asked"}}]
    assert _custom(AskMusicGenre(), make_tracker("jazz", "inform")) == []   # the next question: no start
