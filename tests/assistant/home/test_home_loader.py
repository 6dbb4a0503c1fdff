"""Home files: valid ones load; corrupt or invalid ones raise HomeFileError naming file and problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.home import Capability, DeviceKind, Home, HomeFileError

MINIMAL = """\
rooms: [kitchen, hallway]
devices:
  - {id: lamp, kind: light, room: kitchen, capabilities: [power, brightness]}
"""


def write(tmp_path: Path, text: str, name: str = "home.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    home = Home.load(write(tmp_path, MINIMAL, "cottage.yml"))
    assert home.name == "cottage"
    assert home.rooms == ["kitchen", "hallway"]
    lamp = home.devices["lamp"]
    assert (lamp.name, lamp.kind, lamp.room, lamp.aliases) == ("lamp", DeviceKind.LIGHT, "kitchen", ())
    assert lamp.capabilities == {Capability.POWER, Capability.BRIGHTNESS}
    assert lamp.state == {"power": "off", "brightness": 100}
    assert home.clock.now == dt.datetime(2026, 1, 5, 7, 0)


def test_a_full_file_loads(tmp_path: Path) -> None:
    text = """\
name: flat
date: 2027-03-01
clock: 21:45            # unquoted: YAML 1.1 reads this as a base-60 number
rooms: [bedroom]
devices:
  - id: clock
    name: bedside clock
    kind: alarm_clock
    room: bedroom
    capabilities: [alarm, speak]
    aliases: [bedside]
    state: {alarms: [06:30, "7:15"]}
  - {id: oven, kind: oven, room: bedroom, capabilities: [power, temperature],
     state: {power: on, temperature: 180}}
"""
    home = Home.load(write(tmp_path, text))
    assert home.name == "flat"
    assert home.clock.now == dt.datetime(2027, 3, 1, 21, 45)
    clock = home.devices["clock"]
    assert (clock.name, clock.aliases, clock.state) == ("bedside clock", ("bedside",),
                                                        {"alarms": ["06:30", "07:15"]})
    assert home.devices["oven"].state == {"power": "on", "temperature": 180, "target_temperature": 180}


def test_the_shipped_default_home_loads() -> None:
    home = Home.default()
    assert len(home.devices) == 14 and home.name == "default"


DEVICE = "{id: lamp, kind: light, room: kitchen, capabilities: [power]}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rooms: [kitchen]\ndevices:\n  - id: lamp\n    kind: light\n   room: kitchen\n",
         "line 5: not valid YAML"),
        ("rooms: [kitchen\n", "line 2: not valid YAML"),
        ("", "expected a mapping with 'rooms' and 'devices'"),
        ("- just\n- a list\n", "expected a mapping"),
        (f"devices: [{DEVICE}]\n", "missing 'rooms'"),
        ("rooms: [kitchen]\n", "missing 'devices'"),
        (f"rooms: [kitchen]\ndevice: [{DEVICE}]\n", "unknown key 'device'"),
        ("rooms: []\ndevices: []\n", "'rooms' must be a non-empty list"),
        (f"rooms: [living room]\ndevices: [{DEVICE}]\n", "room ids like living_room"),
        (f"rooms: [kitchen, kitchen]\ndevices: [{DEVICE}]\n", "lists a room twice"),
        ("rooms: [kitchen]\ndevices: []\n", "'devices' must be a non-empty list"),
        ("rooms: [kitchen]\ndevices: [lamp]\n", "device 1: expected a mapping"),
        ("rooms: [kitchen]\ndevices: [{kind: light, room: kitchen, capabilities: [power]}]\n",
         "device 1: missing 'id'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, room: kitchen, capabilities: [power]}]\n",
         "device 1: missing 'kind'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, capabilities: [power]}]\n",
         "device 1: missing 'room'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen}]\n",
         "device 1: missing 'capabilities'"),
        ("rooms: [kitchen]\ndevices: [{id: big lamp, kind: light, room: kitchen, capabilities: [power]}]\n",
         "id 'big lamp' must be one word"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: toaster, room: kitchen, capabilities: [power]}]\n",
         "device 'lamp': unknown kind 'toaster'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power, fly]}]\n",
         "device 'lamp': unknown capability 'fly'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: power}]\n",
         "'capabilities' must be a non-empty list"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: attic, capabilities: [power]}]\n",
         "device 'lamp': room 'attic' is not in rooms (kitchen)"),
        (f"rooms: [kitchen]\ndevices: [{DEVICE}, {DEVICE}]\n", "device 2: duplicate id 'lamp'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power],"
         " colour: red}]\n", "device 'lamp': unknown key 'colour'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power],"
         " state: {power: dim}}]\n", "device 'lamp': state: the lamp's power: expected on or off"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power],"
         " state: {color: red}}]\n", "device 'lamp': state: the lamp has no 'color'"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power],"
         " state: [on]}]\n", "'state' must be a mapping"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power],"
         " aliases: [the big light]}]\n", "alias 'the big light' is a catalog word for every light"),
        ("rooms: [kitchen]\ndevices: [{id: lamp, kind: light, room: kitchen, capabilities: [power],"
         " aliases: pendant}]\n", "'aliases' must be a list of names"),
        ("rooms: [kitchen]\ndevices: [{id: box, kind: oven, room: kitchen,"
         " capabilities: [temperature, thermostat]}]\n", "not both"),
        (f"clock: '25:00'\nrooms: [kitchen]\ndevices: [{DEVICE}]\n", "clock: '25:00' is not a time"),
        (f"date: soon\nrooms: [kitchen]\ndevices: [{DEVICE}]\n", "date: 'soon' is not a date"),
    ],
)
def test_invalid_files_name_the_file_and_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(HomeFileError) as caught:
        Home.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert isinstance(caught.value, ValueError)


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yml"
    with pytest.raises(HomeFileError, match="nowhere.yml: cannot read the file"):
        Home.load(path)


def test_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "home.yml"
    path.write_bytes(b"\xff\xfe\x00rooms")
    with pytest.raises(HomeFileError, match="home.yml: not a text file"):
        Home.load(path)
