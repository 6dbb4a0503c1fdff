from __future__ import annotations

import pytest

from assistant.actions.device_control import ActionDeviceControl
from tests.assistant.actions.conftest import run_action


def ent(entity: str, value: str) -> dict:
    return {"entity": entity, "value": value}


@pytest.mark.parametrize(
    ("text", "intent", "device", "entities", "reply", "directives"),
    [
        ("turn on the lights", "turn_on", "kitchen_speaker", [ent("device", "lights")],
         "Turning on the kitchen light.", ["turn_on kitchen_light"]),
        ("turn on the lights", "turn_on", "bedroom_speaker", [ent("device", "lights")],
         "Turning on the bedroom light.", ["turn_on bedroom_light"]),
        ("turn on the living room lights", "turn_on", "kitchen_speaker",
         [ent("device", "lights"), ent("room", "living room")],
         "Turning on the living room light.", ["turn_on living_room_light"]),
        ("dim the lights to 30 percent", "set_brightness", "office_speaker",
         [ent("device", "lights"), ent("number", "30")],
         "Setting the office light to 30% brightness.", ["set_brightness office_light 30"]),
        ("make the kitchen light blue", "set_color", "bedroom_speaker",
         [ent("device", "kitchen light"), ent("room", "kitchen"), ent("color", "blue")],
         "Setting the kitchen light to blue.", ["set_color kitchen_light blue"]),
        ("set the oven to 180 degrees", "set_temperature", "kitchen_speaker",
         [ent("device", "oven"), ent("number", "180")],
         "Setting the oven to 180 degrees.", ["set_temperature oven 180"]),
        ("set it to 180", "set_temperature", "kitchen_speaker", [ent("number", "180")],
         "Setting the oven to 180 degrees.", ["set_temperature oven 180"]),
        ("set the heating to 22", "set_temperature", "kitchen_speaker", [ent("number", "22")],
         "Setting the thermostat to 22 degrees.", ["set_temperature thermostat 22"]),
        ("open the garage", "open_device", "kitchen_speaker", [],
         "Opening the garage door.", ["open garage_door"]),
        ("unlock the front door", "unlock_device", "kitchen_speaker", [ent("device", "front door")],
         "Unlocking the front door lock.", ["unlock front_door_lock"]),
        # All of a kind, no room named: every one in the home; "all right" is no "all".
        ("please turn on all lights", "turn_on", "kitchen_speaker", [ent("device", "lights")],
         "Turning on the kitchen light, the living room light, the bedroom light and the office light.",
         ["turn_on kitchen_light", "turn_on living_room_light", "turn_on bedroom_light", "turn_on office_light"]),
        ("turn on all the lights in the bedroom", "turn_on", "kitchen_speaker",
         [ent("device", "lights"), ent("room", "bedroom")],
         "Turning on the bedroom light.", ["turn_on bedroom_light"]),
        ("all right turn on the lights", "turn_on", "kitchen_speaker", [ent("device", "lights")],
         "Turning on the kitchen light.", ["turn_on kitchen_light"]),
        # Asking for light without naming a device: the room's light.
        ("it's dark in the living room", "turn_on", "kitchen_speaker", [ent("room", "living room")],
         "Turning on the living room light.", ["turn_on living_room_light"]),
        ("i can't see anything", "turn_on", "bedroom_speaker", [],
         "Turning on the bedroom light.", ["turn_on bedroom_light"]),
    ],
)
def test_device_control(make_tracker, text, intent, device, entities, reply, directives) -> None:
    tracker = make_tracker(text, intent, device=device, entities=entities)
    events, texts, sent = run_action(ActionDeviceControl(), tracker)
    assert events == []
    assert texts == [reply]
    assert sent == directives


def test_already_in_state_sends_nothing(make_tracker) -> None:
    tracker = make_tracker("lock the front door", "lock_device", entities=[ent("device", "front door")])
    _, texts, sent = run_action(ActionDeviceControl(), tracker)
    assert texts == ["The front door lock is already locked."]
    assert sent == []


@pytest.mark.parametrize(
    ("text", "intent", "entities", "reply_part"),
    [
        ("set the oven to 500 degrees", "set_temperature", [ent("device", "oven"), ent("number", "500")],
         "I can't do that"),
        ("make the office light red", "set_color", [ent("room", "office"), ent("color", "red")],
         "I can't do that"),
        ("turn on the dishwasher", "turn_on", [], "Which device do you mean?"),
        ("turn on the light in the garage", "turn_on", [ent("device", "light"), ent("room", "garage")],
         "There's no light in the garage."),
        ("dim the lights", "set_brightness", [], "Setting the kitchen light to 30% brightness."),
        ("set the thermostat", "set_temperature", [ent("device", "thermostat")], "What temperature"),
    ],
)
def test_refusals_and_questions(make_tracker, text, intent, entities, reply_part) -> None:
    _, texts, sent = run_action(ActionDeviceControl(), make_tracker(text, intent, entities=entities))
    assert reply_part in texts[0]
    if "can't" in reply_part or "?" in reply_part or "There's no" in reply_part:
        assert sent == []


def test_without_metadata_the_default_home_is_used(make_tracker) -> None:
    tracker = make_tracker("turn on the lights", "turn_on", with_context=False)
    _, texts, sent = run_action(ActionDeviceControl(), tracker)
    assert sent == ["turn_on kitchen_light"]


def _problems_and_texts(tracker) -> tuple[list[str], list[str], list[str]]:
    """Run the action; return the problems it tagged, its texts and its directives."""
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    asyncio.run(ActionDeviceControl().run(dispatcher, tracker, {}))
    custom = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    return ([c["problem"] for c in custom if "problem" in c], [m["text"] for m in dispatcher.messages if m.get("text")],
            [d for c in custom for d in c.get("directives", [])])


@pytest.fixture
def tracker_in(make_tracker):
    """A tracker whose ambient home is ``home`` (changed by the test), not the default one."""
    from assistant.context import build_context

    def make(home, text: str, intent: str, *, device: str = "kitchen_speaker", entities=()):
        tracker = make_tracker(text, intent, device=device, entities=list(entities))
        tracker.latest_message["metadata"]["context"] = build_context(home, device)
        return tracker

    return make


def _home_without(*device_ids: str):
    from assistant.home import Home

    home = Home.default()
    for device_id in device_ids:
        del home.devices[device_id]
    return home


def test_two_lights_none_in_the_speakers_room_asks_which_and_tags_ambiguous(tracker_in) -> None:
    home = _home_without("kitchen_light", "office_light")
    problems, texts, sent = _problems_and_texts(
        tracker_in(home, "turn on the lights", "turn_on", entities=[ent("device", "lights")]))
    assert problems == ["AMBIGUOUS"]
    assert texts == ["Which light do you mean? There's one in the bedroom, living room."]
    assert sent == []


def test_naming_the_room_chooses_between_two_matching_lights(tracker_in) -> None:
    home = _home_without("kitchen_light", "office_light")
    problems, texts, sent = _problems_and_texts(
        tracker_in(home, "turn on the bedroom lights", "turn_on",
                   entities=[ent("device", "lights"), ent("room", "bedroom")]))
    assert problems == []
    assert (texts, sent) == (["Turning on the bedroom light."], ["turn_on bedroom_light"])


def test_two_lights_in_the_speakers_room_are_both_switched(tracker_in) -> None:
    import copy

    from assistant.home import Home

    home = Home.default()
    pendant = copy.deepcopy(home.devices["kitchen_light"])
    pendant.id, pendant.name, pendant.aliases = "kitchen_pendant", "kitchen pendant", []
    home.devices[pendant.id] = pendant
    problems, texts, sent = _problems_and_texts(
        tracker_in(home, "turn on the lights", "turn_on", entities=[ent("device", "lights")]))
    assert problems == []
    assert texts == ["Turning on the kitchen light and the kitchen pendant."]
    assert sent == ["turn_on kitchen_light", "turn_on kitchen_pendant"]


@pytest.mark.parametrize(("text", "intent", "entities", "problem"), [
    ("turn on the dishwasher", "turn_on", [], "NO_TARGET"),
    ("turn on the light in the garage", "turn_on", [ent("device", "light"), ent("room", "garage")],
     "NO_SUCH_DEVICE"),
    ("turn on the lights", "turn_on", [ent("device", "lights")], None),
])
def test_the_problem_tag_names_why_no_target(make_tracker, text, intent, entities, problem) -> None:
    problems, _, sent = _problems_and_texts(make_tracker(text, intent, entities=entities))
    assert problems == ([] if problem is None else [problem])
    assert bool(sent) is (problem is None)


def test_a_refused_directive_is_tagged_with_its_reason(make_tracker) -> None:
    tracker = make_tracker("set the oven to 500 degrees", "set_temperature",
                           entities=[ent("device", "oven"), ent("number", "500")])
    problems, texts, sent = _problems_and_texts(tracker)
    assert problems == ["INVALID_VALUE"] and texts[0].startswith("I can't do that") and sent == []
