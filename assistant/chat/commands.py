"""Slash commands of the terminal chat: parsing only (pure functions, no I/O).

`parse_command("/set oven power=on temperature=180")` returns a typed command; a line
with bad arguments returns `Invalid` (with the usage) and an unknown name returns
`Unknown`, so the chat never has to catch anything.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class CommandSpec:
    """How a command is written and what it does (for /help and the completer)."""

    name: str
    usage: str
    summary: str


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("/help", "/help", "list the commands"),
    CommandSpec("/device", "/device ID", "speak through another device (e.g. /device living_room_tv)"),
    CommandSpec("/user", "/user ID", "speak as another user"),
    CommandSpec("/home", "/home", "show every device's state, the clock and the time of day"),
    CommandSpec("/set", "/set DEVICE key=value [key=value ...]",
                "change a device by hand (e.g. /set oven power=on temperature=180)"),
    CommandSpec("/time", "/time HH:MM", "move the clock forward to HH:MM (alarms and timers fire)"),
    CommandSpec("/debug", "/debug", "toggle showing intent, confidence, entities, slots and actions"),
    CommandSpec("/barge", "/barge", "mark your next message as a barge-in"),
    CommandSpec("/quit", "/quit", "leave the chat (also /exit, Ctrl-D)"),
    CommandSpec("/exit", "/exit", "leave the chat"),
)
SPECS: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}
COMMAND_NAMES: tuple[str, ...] = tuple(spec.name for spec in COMMANDS)

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ID = re.compile(r"^[A-Za-z0-9_.@-]+$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)$")


@dataclass(frozen=True)
class Help:
    """/help"""


@dataclass(frozen=True)
class SwitchDevice:
    """/device ID"""

    device_id: str


@dataclass(frozen=True)
class SwitchUser:
    """/user ID"""

    user_id: str


@dataclass(frozen=True)
class ShowHome:
    """/home"""


@dataclass(frozen=True)
class SetState:
    """/set DEVICE key=value ..."""

    device_id: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetTime:
    """/time HH:MM (normalised to two-digit hours)."""

    hhmm: str


@dataclass(frozen=True)
class ToggleDebug:
    """/debug"""


@dataclass(frozen=True)
class Barge:
    """/barge"""


@dataclass(frozen=True)
class Quit:
    """/quit or /exit"""


@dataclass(frozen=True)
class Invalid:
    """A known command with bad arguments; `message` says why and shows the usage."""

    name: str
    message: str


@dataclass(frozen=True)
class Unknown:
    """A slash command that does not exist."""

    name: str

    @property
    def message(self) -> str:
        """What to tell the user."""
        return f"Unknown command {self.name}, /help lists them"


Command = Union[Help, SwitchDevice, SwitchUser, ShowHome, SetState, SetTime, ToggleDebug,
                Barge, Quit, Invalid, Unknown]


def is_command(line: str) -> bool:
    """Whether a line is a slash command rather than something to say."""
    return line.lstrip().startswith("/")


def parse_value(raw: str) -> Any:
    """Read a /set value: true/false -> bool, none/null -> None, ints, floats, else the text.

    "on" and "off" stay strings: that is how the home spells power.
    """
    lowered = raw.strip().lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    if lowered in ("none", "null"):
        return None
    if _INT.match(lowered):
        return int(lowered)
    if _FLOAT.match(lowered):
        return float(lowered)
    if lowered in ("on", "off"):
        return lowered
    return raw


def parse_command(line: str) -> Command:
    """Parse one slash-command line into a typed command.

    Args:
        line: the line as typed, starting with "/".

    Returns:
        The command; `Invalid` for bad arguments, `Unknown` for an unknown name.
    """
    text = line.strip()
    name, _, rest = text.partition(" ")
    name = name.lower()
    rest = rest.strip()
    if name not in SPECS:
        return Unknown(name or "/")
    try:
        args = shlex.split(rest)
    except ValueError as error:  # unbalanced quotes
        return _invalid(name, f"could not read the arguments ({error})")
    if name in ("/help", "/home", "/debug", "/barge", "/quit", "/exit"):
        if args:
            return _invalid(name, f"{name} takes no arguments")
        plain: dict[str, Command] = {"/help": Help(), "/home": ShowHome(), "/debug": ToggleDebug(), "/barge": Barge(),
                                     "/quit": Quit(), "/exit": Quit()}
        return plain[name]
    if name in ("/device", "/user"):
        what = "a device id" if name == "/device" else "a user id"
        if len(args) != 1:
            return _invalid(name, f"{name} needs exactly one argument, {what}")
        if not _ID.match(args[0]):
            return _invalid(name, f"{args[0]!r} is not {what} (letters, digits, _ . @ -)")
        return SwitchDevice(args[0]) if name == "/device" else SwitchUser(args[0])
    if name == "/time":
        if len(args) != 1:
            return _invalid(name, "/time needs one time, like 07:30")
        match = _HHMM.match(args[0])
        if not match:
            return _invalid(name, f"{args[0]!r} is not a time like 07:30")
        return SetTime(f"{int(match.group(1)):02d}:{match.group(2)}")
    return _parse_set(args)


def _parse_set(args: list[str]) -> Command:
    name = "/set"
    if len(args) < 2:
        return _invalid(name, "/set needs a device and at least one key=value")
    device_id, pairs = args[0], args[1:]
    if "=" in device_id or not _ID.match(device_id):
        return _invalid(name, f"{device_id!r} is not a device id")
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            return _invalid(name, f"{pair!r} is not key=value")
        if raw.strip() == "":
            return _invalid(name, f"{key} has no value")
        if key in values:
            return _invalid(name, f"{key} is given twice")
        values[key] = parse_value(raw)
    return SetState(device_id, values)


def _invalid(name: str, problem: str) -> Invalid:
    return Invalid(name, f"{problem}. Usage: {SPECS[name].usage}")
