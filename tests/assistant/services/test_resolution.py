"""Target resolution: the speaking device's room by default, a named room when given, and a
typed reason (NO_TARGET, NO_SUCH_DEVICE, AMBIGUOUS) when no target can be chosen."""

from __future__ import annotations

import copy

import pytest

from assistant.home import Home
from assistant.outcomes import Problem
from assistant.services.resolution import Unresolved, resolve


def _home(*, drop: tuple[str, ...] = (), second_kitchen_light: bool = False) -> Home:
    home = Home.default()
    if second_kitchen_light:
        pendant = copy.deepcopy(home.devices["kitchen_light"])
        pendant.id, pendant.name, pendant.aliases = "kitchen_pendant", "kitchen pendant", []
        home.devices[pendant.id] = pendant
    for device_id in drop:
        del home.devices[device_id]
    return home


def _ids(home: Home, speaker: str, **kwargs) -> list[str]:
    return [d.id for d in resolve(home, home.devices[speaker], **kwargs).devices]


def test_no_kind_is_no_target() -> None:
    home = _home()
    result = resolve(home, home.devices["kitchen_speaker"], kind=None)
    assert (result.ok, result.reason, result.devices) == (False, Unresolved.NO_TARGET, [])
    assert result.message == "Which device do you mean?"


@pytest.mark.parametrize(("drop", "room", "message"), [
    (("oven",), None, "There's no oven in this home."),
    ((), "garage", "There's no oven in the garage."),
])
def test_no_such_device(drop: tuple[str, ...], room: str | None, message: str) -> None:
    home = _home(drop=drop)
    result = resolve(home, home.devices["kitchen_speaker"], kind="oven", room=room)
    assert (result.ok, result.reason, result.message) == (False, Unresolved.NO_SUCH_DEVICE, message)
    assert result.devices == []


def test_a_single_device_anywhere_is_chosen_from_any_room() -> None:
    assert _ids(_home(), "bedroom_speaker", kind="thermostat") == ["thermostat"]


@pytest.mark.parametrize(("speaker", "room", "expected"), [
    ("kitchen_speaker", None, ["kitchen_light"]),          # the speaking device's room
    ("bedroom_speaker", None, ["bedroom_light"]),
    ("kitchen_speaker", "office", ["office_light"]),       # a named room wins over it
])
def test_several_lights_the_room_decides(speaker: str, room: str | None, expected: list[str]) -> None:
    assert _ids(_home(), speaker, kind="light", room=room) == expected


@pytest.mark.parametrize(("all_in_room", "expected"), [
    (True, ["kitchen_light", "kitchen_pendant"]),
    (False, ["kitchen_light"]),
])
def test_two_matches_in_the_room(all_in_room: bool, expected: list[str]) -> None:
    home = _home(second_kitchen_light=True)
    assert _ids(home, "kitchen_speaker", kind="light", all_in_room=all_in_room) == expected
    assert _ids(home, "office_speaker", kind="light", room="kitchen", all_in_room=all_in_room) == expected


def test_several_matches_none_in_the_speakers_room_is_ambiguous() -> None:
    home = _home(drop=("kitchen_light",))
    result = resolve(home, home.devices["kitchen_speaker"], kind="light")
    assert (result.ok, result.reason, result.devices) == (False, Unresolved.AMBIGUOUS, [])
    assert result.message == "Which light do you mean? There's one in the bedroom, living room, office."
    assert result.reason.as_problem is Problem.AMBIGUOUS
