"""Slash-command parsing (pure functions)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.chat import commands as cc


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/help", cc.Help()),
        ("  /HELP  ", cc.Help()),
        ("/device living_room_tv", cc.SwitchDevice("living_room_tv")),
        ("/user bob", cc.SwitchUser("bob")),
        ("/user alice@home.example", cc.SwitchUser("alice@home.example")),
        ("/home", cc.ShowHome()),
        ("/set oven power=on temperature=180",
         cc.SetState("oven", {"power": "on", "temperature": 180})),
        ("/set kitchen_light brightness=60.5 color=blue",
         cc.SetState("kitchen_light", {"brightness": 60.5, "color": "blue"})),
        ("/set front_door_lock locked=false", cc.SetState("front_door_lock", {"locked": False})),
        ('/set living_room_tv playing="The Hunger Games|film"',
         cc.SetState("living_room_tv", {"playing": "The Hunger Games|film"})),
        ("/set oven target_temperature=none", cc.SetState("oven", {"target_temperature": None})),
        ("/time 22:30", cc.SetTime("22:30")),
        ("/time 7:05", cc.SetTime("07:05")),
        ("/debug", cc.ToggleDebug()),
        ("/barge", cc.Barge()),
        ("/quit", cc.Quit()),
        ("/exit", cc.Quit()),
    ],
)
def test_parse_valid_commands(line: str, expected: cc.Command) -> None:
    assert cc.parse_command(line) == expected


@pytest.mark.parametrize(
    ("line", "name", "problem"),
    [
        ("/device", "/device", "exactly one argument"),
        ("/device a b", "/device", "exactly one argument"),
        ("/device bad!id", "/device", "is not a device id"),
        ("/user", "/user", "exactly one argument"),
        ("/user a b", "/user", "exactly one argument"),
        ("/set", "/set", "needs a device"),
        ("/set oven", "/set", "needs a device"),
        ("/set oven power", "/set", "'power' is not key=value"),
        ("/set oven =on", "/set", "is not key=value"),
        ("/set oven 9x=1", "/set", "is not key=value"),
        ("/set oven power=", "/set", "power has no value"),
        ("/set oven power=on power=off", "/set", "power is given twice"),
        ("/set power=on oven", "/set", "is not a device id"),
        ('/set tv playing="unclosed', "/set", "could not read the arguments"),
        ("/time", "/time", "needs one time"),
        ("/time 25:00", "/time", "is not a time like 07:30"),
        ("/time 7pm", "/time", "is not a time like 07:30"),
        ("/time 07:30 08:00", "/time", "needs one time"),
        ("/help me", "/help", "takes no arguments"),
        ("/home now", "/home", "takes no arguments"),
        ("/debug on", "/debug", "takes no arguments"),
        ("/barge now", "/barge", "takes no arguments"),
        ("/quit now", "/quit", "takes no arguments"),
    ],
)
def test_bad_arguments_give_usage(line: str, name: str, problem: str) -> None:
    command = cc.parse_command(line)
    assert isinstance(command, cc.Invalid)
    assert command.name == name
    assert problem in command.message
    assert f"Usage: {cc.SPECS[name].usage}" in command.message


@pytest.mark.parametrize("line", ["/foo", "/devices kitchen", "/", "/ turn on"])
def test_unknown_commands(line: str) -> None:
    command = cc.parse_command(line)
    assert isinstance(command, cc.Unknown)
    assert command.message.startswith("Unknown command")
    assert command.message.endswith("/help lists them")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("on", "on"), ("OFF", "off"), ("true", True), ("False", False), ("yes", True),
        ("42", 42), ("-3", -3), ("21.5", 21.5), ("1e2", 100.0), ("none", None),
        ("blue", "blue"), ("The Hunger Games|film", "The Hunger Games|film"),
    ],
)
def test_parse_value(raw: str, value: Any) -> None:
    parsed = cc.parse_value(raw)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(("line", "expected"),
                         [("/home", True), ("  /set x a=1", True), ("turn on the lights", False),
                          ("", False), ("and/or", False)])
def test_is_command(line: str, expected: bool) -> None:
    assert cc.is_command(line) is expected


def test_every_listed_command_is_parsed() -> None:
    for spec in cc.COMMANDS:
        assert not isinstance(cc.parse_command(spec.name), cc.Unknown), spec.name
