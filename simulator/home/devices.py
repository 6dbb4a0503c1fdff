"""Devices: kinds, capabilities and typed state."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from typing import Any


class DeviceKind(enum.Enum):
    """What a device is."""

    LIGHT = "light"
    OVEN = "oven"
    THERMOSTAT = "thermostat"
    GARAGE_DOOR = "garage_door"
    LOCK = "lock"
    COFFEE_MAKER = "coffee_maker"
    TV = "tv"
    SPEAKER = "speaker"
    ALARM_CLOCK = "alarm_clock"


class Capability(enum.Enum):
    """What a device can do; directives are checked against these."""

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


# State keys each capability owns, with their defaults.
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

OVEN_RANGE = (50, 290)
THERMOSTAT_RANGE = (10, 30)


@dataclass
class Device:
    """A device in a room, with capabilities and mutable state."""

    id: str
    name: str
    kind: DeviceKind
    room: str
    capabilities: frozenset[Capability]
    state: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    @property
    def has_screen(self) -> bool:
        return Capability.SCREEN in self.capabilities

    @property
    def can_speak(self) -> bool:
        return Capability.SPEAK in self.capabilities

    def state_keys(self) -> set[str]:
        """Every state key this device's capabilities allow."""
        return {k for c in self.capabilities for k in STATE_DEFAULTS[c]}

    def copy(self) -> "Device":
        return Device(self.id, self.name, self.kind, self.room, self.capabilities,
                      copy.deepcopy(self.state), self.aliases)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (for snapshots)."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind.value, "room": self.room,
            "capabilities": sorted(c.value for c in self.capabilities),
            "state": copy.deepcopy(self.state), "aliases": list(self.aliases),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Device":
        return cls(
            id=data["id"], name=data["name"], kind=DeviceKind(data["kind"]), room=data["room"],
            capabilities=frozenset(Capability(c) for c in data["capabilities"]),
            state=copy.deepcopy(data.get("state", {})), aliases=tuple(data.get("aliases", ())),
        )


def default_state(capabilities: frozenset[Capability]) -> dict[str, Any]:
    """The initial state of a device with these capabilities."""
    state: dict[str, Any] = {}
    for capability in sorted(capabilities, key=lambda c: c.value):
        state.update(copy.deepcopy(STATE_DEFAULTS[capability]))
    return state
