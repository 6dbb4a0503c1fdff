"""home.set_state: manual changes validated against capabilities, all-or-nothing."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.home import Home, Refusal


@pytest.fixture
def home() -> Home:
    return Home.default()


@pytest.mark.parametrize(
    ("device_id", "values", "expected"),
    [
        ("oven", {"power": "on", "temperature": 180},
         {"power": "on", "temperature": 180, "target_temperature": 180}),
        ("oven", {"power": "on", "temperature": 180, "target_temperature": 200},
         {"power": "on", "temperature": 180, "target_temperature": 200}),
        ("oven", {"power": True}, {"power": "on", "target_temperature": None}),
        ("oven", {"target_temperature": 200}, {"power": "on", "target_temperature": 200}),
        ("kitchen_light", {"power": "ON", "brightness": "60", "color": "Blue"},
         {"power": "on", "brightness": 60, "color": "blue"}),
        ("kitchen_light", {"brightness": 60.4}, {"power": "off", "brightness": 60}),
        ("kitchen_light", {"color": "warm  white"}, {"color": "warm white"}),
        ("thermostat", {"current_temperature": 18.5, "target_temperature": "22"},
         {"current_temperature": 18.5, "target_temperature": 22}),
        ("garage_door", {"position": "Open"}, {"position": "open"}),
        ("front_door_lock", {"locked": False}, {"locked": False}),
        ("front_door_lock", {"locked": "unlocked"}, {"locked": False}),
        ("coffee_maker", {"brewing": True}, {"power": "on", "brewing": True}),
        ("living_room_tv", {"playing": "Dune|film"},
         {"power": "on", "playing": {"title": "Dune", "format": "film"}}),
        ("kitchen_speaker", {"playing": "jazz"}, {"playing": {"title": "jazz", "format": "music"}}),
        ("kitchen_speaker", {"playing": {"title": "Serial", "format": "podcast"}},
         {"playing": {"title": "Serial", "format": "podcast"}}),
        ("bedroom_alarm_clock", {"alarms": ["7:00", "06:30", "07:00"]}, {"alarms": ["06:30", "07:00"]}),
        ("bedroom_alarm_clock", {"alarms": "07:00"}, {"alarms": ["07:00"]}),
        ("kitchen_speaker", {"timers": [{"ends_at": "2026-01-05T07:10:00", "label": "tea"}]},
         {"timers": [{"ends_at": "2026-01-05T07:10:00", "label": "tea", "seconds": None}]}),
    ],
)
def test_set_state_validates_and_normalises(home: Home, device_id: str, values: dict[str, Any],
                                            expected: dict[str, Any]) -> None:
    result = home.set_state(device_id, values)
    assert result.ok and result.refusal is None and not result.unchanged
    state = home.devices[device_id].state
    assert {key: state[key] for key in expected} == expected


def test_switching_off_by_hand_stops_what_the_device_was_doing(home: Home) -> None:
    assert home.apply("play living_room_tv Dune|film").ok
    assert home.set_state("living_room_tv", {"power": False}).ok
    assert home.devices["living_room_tv"].state == {"power": "off", "playing": None}


def test_changes_list_only_what_differs(home: Home) -> None:
    result = home.set_state("kitchen_light", {"power": "on", "brightness": 100})
    assert result.changes == {"power": "on"}
    assert result.directive is None


def test_setting_the_current_state_is_unchanged(home: Home) -> None:
    result = home.set_state("oven", {"power": "off", "temperature": 20})
    assert (result.ok, result.unchanged, result.changes) == (True, True, {})


@pytest.mark.parametrize(
    ("device_id", "values", "refusal", "fragment"),
    [
        ("toaster", {"power": "on"}, Refusal.NO_SUCH_DEVICE, "'toaster'"),
        ("oven", {}, Refusal.INVALID_VALUE, "nothing to set"),
        ("oven", {"color": "red"}, Refusal.UNSUPPORTED, "oven has no 'color'"),
        ("garage_door", {"power": "on"}, Refusal.UNSUPPORTED, "garage door has no 'power'"),
        ("office_light", {"color": "red"}, Refusal.UNSUPPORTED, "office light has no 'color'"),
        ("oven", {"power": "maybe"}, Refusal.INVALID_VALUE, "expected on or off"),
        ("oven", {"power": 1}, Refusal.INVALID_VALUE, "expected on or off"),
        ("kitchen_light", {"brightness": 150}, Refusal.INVALID_VALUE, "outside 0..100"),
        ("kitchen_light", {"brightness": "dim"}, Refusal.INVALID_VALUE, "expected a number"),
        ("kitchen_light", {"color": "magenta"}, Refusal.INVALID_VALUE, "unknown colour 'magenta'"),
        ("oven", {"target_temperature": 400}, Refusal.INVALID_VALUE, "outside 50..290"),
        ("oven", {"temperature": 1000}, Refusal.INVALID_VALUE, "outside 0..300"),
        ("thermostat", {"target_temperature": 5}, Refusal.INVALID_VALUE, "outside 10..30"),
        ("thermostat", {"target_temperature": None}, Refusal.INVALID_VALUE, "expected a number"),
        ("thermostat", {"current_temperature": 90}, Refusal.INVALID_VALUE, "outside -30..50"),
        ("garage_door", {"position": "ajar"}, Refusal.INVALID_VALUE, "expected open or closed"),
        ("front_door_lock", {"locked": "sometimes"}, Refusal.INVALID_VALUE, "expected true or false"),
        ("bedroom_alarm_clock", {"alarms": ["07:00", "25:00"]}, Refusal.INVALID_VALUE, "not a time"),
        ("kitchen_speaker", {"playing": "Dune|film"}, Refusal.UNSUPPORTED, "no screen"),
        ("kitchen_speaker", {"playing": "Dune|vinyl"}, Refusal.INVALID_VALUE, "unknown format 'vinyl'"),
        ("kitchen_speaker", {"timers": "soon"}, Refusal.INVALID_VALUE, "expected a list"),
        ("kitchen_speaker", {"timers": [{"label": "tea"}]}, Refusal.INVALID_VALUE, "needs 'ends_at'"),
        ("kitchen_speaker", {"timers": [{"ends_at": "teatime"}]}, Refusal.INVALID_VALUE, "not a date"),
        ("coffee_maker", {"power": "off", "brewing": True}, Refusal.INVALID_VALUE, "while off"),
        ("kitchen_light", {"brightness": 50, "color": "magenta"}, Refusal.INVALID_VALUE, "magenta"),
    ],
)
def test_set_state_refusals_change_nothing(home: Home, device_id: str, values: dict[str, Any],
                                           refusal: Refusal, fragment: str) -> None:
    before = home.snapshot()
    result = home.set_state(device_id, values)
    assert (result.ok, result.refusal, result.changes) == (False, refusal, {})
    assert fragment in result.message
    assert home.snapshot() == before
