"""The default home, queries, the catalogs it draws on, and snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import assistant
from assistant.catalog import load_catalog
from assistant.home import Capability as C
from assistant.home import Device, DeviceKind, Home, TimeOfDay

LIGHT = {C.POWER, C.BRIGHTNESS, C.COLOR}
SPEAKER = {C.MEDIA, C.SPEAK, C.TIMER}
DEFAULT_DEVICES = {
    "kitchen_light": (DeviceKind.LIGHT, "kitchen", LIGHT),
    "living_room_light": (DeviceKind.LIGHT, "living_room", LIGHT),
    "bedroom_light": (DeviceKind.LIGHT, "bedroom", LIGHT),
    "office_light": (DeviceKind.LIGHT, "office", {C.POWER, C.BRIGHTNESS}),
    "oven": (DeviceKind.OVEN, "kitchen", {C.POWER, C.TEMPERATURE}),
    "thermostat": (DeviceKind.THERMOSTAT, "hallway", {C.THERMOSTAT}),
    "garage_door": (DeviceKind.GARAGE_DOOR, "garage", {C.OPEN_CLOSE}),
    "front_door_lock": (DeviceKind.LOCK, "hallway", {C.LOCK}),
    "coffee_maker": (DeviceKind.COFFEE_MAKER, "kitchen", {C.POWER, C.BREW}),
    "living_room_tv": (DeviceKind.TV, "living_room", {C.POWER, C.SCREEN, C.MEDIA, C.SPEAK}),
    "kitchen_speaker": (DeviceKind.SPEAKER, "kitchen", SPEAKER),
    "bedroom_speaker": (DeviceKind.SPEAKER, "bedroom", SPEAKER),
    "office_speaker": (DeviceKind.SPEAKER, "office", SPEAKER),
    "bedroom_alarm_clock": (DeviceKind.ALARM_CLOCK, "bedroom", {C.ALARM, C.TIMER, C.SPEAK}),
}


@pytest.fixture
def home() -> Home:
    return Home.default()


# -- the default home ---------------------------------------------------------------------


def test_default_home_rooms_and_device_ids(home: Home) -> None:
    assert home.rooms == ["kitchen", "living_room", "bedroom", "office", "garage", "hallway"]
    assert set(home.devices) == set(DEFAULT_DEVICES)
    assert all(device.id == key for key, device in home.devices.items())


@pytest.mark.parametrize("device_id", sorted(DEFAULT_DEVICES))
def test_default_home_device(home: Home, device_id: str) -> None:
    kind, room, capabilities = DEFAULT_DEVICES[device_id]
    device = home.devices[device_id]
    assert (device.kind, device.room, device.capabilities) == (kind, room, frozenset(capabilities))
    assert device.name == device_id.replace("_", " ").replace(" tv", " TV")
    assert set(device.state) == device.state_keys()


@pytest.mark.parametrize(
    ("device_id", "state"),
    [
        ("kitchen_light", {"power": "off", "brightness": 100, "color": "white"}),
        ("office_light", {"power": "off", "brightness": 100}),
        ("oven", {"power": "off", "temperature": 20, "target_temperature": None}),
        ("thermostat", {"target_temperature": 21, "current_temperature": 21}),
        ("garage_door", {"position": "closed"}),
        ("front_door_lock", {"locked": True}),
        ("coffee_maker", {"power": "off", "brewing": False}),
        ("living_room_tv", {"power": "off", "playing": None}),
        ("kitchen_speaker", {"playing": None, "timers": []}),
        ("bedroom_alarm_clock", {"alarms": [], "timers": []}),
    ],
)
def test_default_home_initial_state(home: Home, device_id: str, state: dict) -> None:
    assert home.devices[device_id].state == state


def test_screens_and_voices(home: Home) -> None:
    assert [d.id for d in home.devices.values() if d.has_screen] == ["living_room_tv"]
    assert {d.id for d in home.devices.values() if d.can_speak} == {
        "living_room_tv", "kitchen_speaker", "bedroom_speaker", "office_speaker", "bedroom_alarm_clock"}


def test_default_home_starts_at_seven_on_a_fixed_date(home: Home) -> None:
    assert home.clock.now.isoformat() == "2026-01-05T07:00:00"
    assert home.clock.time_of_day is TimeOfDay.MORNING
    assert home.events == []


def test_default_is_the_shipped_file_and_a_fresh_copy_each_time(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    shipped = Path(assistant.__file__).parent / "homes" / "default.yml"
    monkeypatch.chdir(tmp_path)
    first = Home.default()
    assert first == Home.load(shipped) == Home.load(str(shipped))
    first.apply("turn_on kitchen_light")
    assert Home.default().devices["kitchen_light"].state["power"] == "off"


# -- catalogs -----------------------------------------------------------------------------


def test_device_kinds_are_the_catalog_kinds() -> None:
    assert {kind.value for kind in DeviceKind} == set(load_catalog().device_words)


@pytest.mark.parametrize("kind", list(DeviceKind))
def test_kind_words_come_from_the_catalog(kind: DeviceKind) -> None:
    assert kind.words == load_catalog().device_words[kind.value]
    assert kind.words


def test_default_rooms_are_catalog_rooms(home: Home) -> None:
    assert set(home.rooms) <= set(load_catalog().room_words)


@pytest.mark.parametrize("color", load_catalog().colors)
def test_every_catalog_colour_is_accepted(home: Home, color: str) -> None:
    assert home.apply(f"set_color kitchen_light {color}").ok
    assert home.devices["kitchen_light"].state["color"] == color


# -- queries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "room", "ids"),
    [
        (DeviceKind.LIGHT, None, ["kitchen_light", "living_room_light", "bedroom_light", "office_light"]),
        ("light", "kitchen", ["kitchen_light"]),
        (DeviceKind.SPEAKER, "living_room", []),
        (None, "garage", ["garage_door"]),
        (None, "kitchen", ["kitchen_light", "oven", "coffee_maker", "kitchen_speaker"]),
        ("alarm_clock", None, ["bedroom_alarm_clock"]),
    ],
)
def test_find(home: Home, kind: DeviceKind | str | None, room: str | None, ids: list[str]) -> None:
    assert [d.id for d in home.find(kind=kind, room=room)] == ids


def test_find_without_filters_is_every_device(home: Home) -> None:
    assert home.find() == list(home.devices.values())


def test_find_rejects_an_unknown_kind(home: Home) -> None:
    with pytest.raises(ValueError):
        home.find(kind="toaster")


@pytest.mark.parametrize(
    "room", ["kitchen", "living_room", "bedroom", "office", "garage", "hallway", "attic"])
def test_devices_in(home: Home, room: str) -> None:
    assert home.devices_in(room) == [d for d in home.devices.values() if d.room == room]
    assert all(isinstance(d, Device) for d in home.devices_in(room))


# -- snapshots ----------------------------------------------------------------------------


def _busy(home: Home) -> Home:
    for text in ["set_color living_room_light warm white", "set_temperature oven 180",
                 "play living_room_tv Dune|film", "set_alarm bedroom_alarm_clock 07:05",
                 "start_timer kitchen_speaker 600", "start_timer office_speaker 7200",
                 "unlock front_door_lock", "set_temperature thermostat 22.5"]:
        assert home.apply(text).ok
    home.advance(12.5)
    return home


def test_snapshot_is_json_safe_and_rebuilds_an_equal_home(home: Home) -> None:
    _busy(home)
    assert len(home.events) == 2
    snapshot = json.loads(json.dumps(home.snapshot()))
    rebuilt = Home.from_snapshot(snapshot)
    assert rebuilt == home
    assert rebuilt.snapshot() == home.snapshot()
    assert rebuilt.clock.now == home.clock.now
    assert rebuilt.recent_events() == home.recent_events()


def test_a_rebuilt_home_is_independent_and_behaves_the_same(home: Home) -> None:
    _busy(home)
    rebuilt = Home.from_snapshot(home.snapshot())
    rebuilt.apply("turn_off living_room_light")
    assert home.devices["living_room_light"].state["power"] == "on"
    home.apply("turn_off living_room_light")
    assert rebuilt.advance(60) == home.advance(60)
    assert rebuilt == home


def test_snapshot_of_the_default_home(home: Home) -> None:
    snapshot = home.snapshot()
    assert snapshot["now"] == "2026-01-05T07:00:00"
    assert snapshot["rooms"] == home.rooms
    assert snapshot["events"] == []
    oven = next(d for d in snapshot["devices"] if d["id"] == "oven")
    assert oven == {"id": "oven", "name": "oven", "kind": "oven", "room": "kitchen",
                    "capabilities": ["power", "temperature"],
                    "state": {"power": "off", "temperature": 20, "target_temperature": None},
                    "aliases": []}
