"""Devices: what they are (kind), what they can do (capabilities) and their state."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from typing import Any


class DeviceKind(enum.Enum):
    """What a device is; the values are the kinds in ``assistant/catalogs/devices.yml``."""

    LIGHT = "light"
    OVEN = "oven"
    THERMOSTAT = "thermostat"
    GARAGE_DOOR = "garage_door"
    LOCK = "lock"
    COFFEE_MAKER = "coffee_maker"
    TV = "tv"
    SPEAKER = "speaker"
    ALARM_CLOCK = "alarm_clock"

    @property
    def words(self) -> tuple[str, ...]:
        """The words people use for this kind, from the device catalog."""
        from assistant.catalog import load_catalog

        return load_catalog().device_words.get(self.value, ())


class Capability(enum.Enum):
    """What a device can do; directives and manual state changes are checked against these."""

    POWER = "power"
    BRIGHTNESS = "brightness"
    COLOR = "color"
    TEMPERATURE = "temperature"
    THERMOSTAT = "thermostat"
    OPEN_CLOSE = "open_close"
    LOCK = "lock"
    BREW = "brew"
    MEDIA = "media"
    SCREEN = "screen"
    SPEAK = "speak"
    ALARM = "alarm"
    TIMER = "timer"


# The state keys each capability owns, with their initial values.
STATE_DEFAULTS: dict[Capability, dict[str, Any]] = {
    Capability.POWER: {"power": "off"},
    Capability.BRIGHTNESS: {"brightness": 100},
    Capability.COLOR: {"color": "white"},
    Capability.TEMPERATURE: {"temperature": 20, "target_temperature": None},
    Capability.THERMOSTAT: {"target_temperature": 21, "current_temperature": 21},
    Capability.OPEN_CLOSE: {"position": "closed"},
    Capability.LOCK: {"locked": True},
    Capability.BREW: {"brewing": False},
    Capability.MEDIA: {"playing": None},
    Capability.SCREEN: {},
    Capability.SPEAK: {},
    Capability.ALARM: {"alarms": []},
    Capability.TIMER: {"timers": []},
}

BRIGHTNESS_RANGE = (0, 100)
OVEN_RANGE = (50, 290)
THERMOSTAT_RANGE = (10, 30)
MUSIC = "music"


def colors() -> tuple[str, ...]:
    """The colours a colour light accepts (``assistant/catalogs/colors.yml``)."""
    from assistant.catalog import load_catalog

    return load_catalog().colors


def media_formats() -> tuple[str, ...]:
    """The formats a media device plays: every title format in the media catalog, plus music."""
    from assistant.catalog import load_catalog

    formats = {fmt for title in load_catalog().titles for fmt in title.formats}
    return tuple(sorted(formats | {MUSIC}))


@dataclass
class Device:
    """A device in a room, with capabilities and mutable state.

    Attributes:
        id: unique id, one word ("kitchen_light"); directives name devices by it.
        name: what people call it ("kitchen light").
        kind: what it is.
        room: the room id it is in.
        capabilities: what it can do.
        state: its state, keyed as in ``STATE_DEFAULTS``.
        aliases: other names for this one device.
        default_user: who speaks when a request to this device names no user (the service),
            or None (the home's default user).
    """

    id: str
    name: str
    kind: DeviceKind
    room: str
    capabilities: frozenset[Capability]
    state: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    default_user: str | None = None

    @property
    def has_screen(self) -> bool:
        """Whether it can show pictures (films)."""
        return Capability.SCREEN in self.capabilities

    @property
    def can_speak(self) -> bool:
        """Whether people talk to it (it has a microphone and a voice)."""
        return Capability.SPEAK in self.capabilities

    @property
    def is_off(self) -> bool:
        """Whether it has a power switch and is switched off."""
        return Capability.POWER in self.capabilities and self.state.get("power") != "on"

    def state_keys(self) -> set[str]:
        """Every state key its capabilities allow."""
        return {key for cap in self.capabilities for key in STATE_DEFAULTS[cap]}

    def copy(self) -> Device:
        """A deep copy (state included)."""
        return Device(self.id, self.name, self.kind, self.room, self.capabilities,
                      copy.deepcopy(self.state), self.aliases, self.default_user)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for snapshots."""
        data = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind.value,
            "room": self.room,
            "capabilities": sorted(cap.value for cap in self.capabilities),
            "state": copy.deepcopy(self.state),
            "aliases": list(self.aliases),
        }
        if self.default_user is not None:   # only when set: older snapshots stay as they were
            data["default_user"] = self.default_user
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        """Rebuild a device from ``to_dict``."""
        return cls(
            id=data["id"],
            name=data["name"],
            kind=DeviceKind(data["kind"]),
            room=data["room"],
            capabilities=frozenset(Capability(c) for c in data["capabilities"]),
            state=copy.deepcopy(data.get("state", {})),
            aliases=tuple(data.get("aliases", ())),
            default_user=data.get("default_user"),
        )


def default_state(capabilities: frozenset[Capability]) -> dict[str, Any]:
    """The initial state of a device with these capabilities."""
    state: dict[str, Any] = {}
    for capability in sorted(capabilities, key=lambda c: c.value):
        state.update(copy.deepcopy(STATE_DEFAULTS[capability]))
    return state
