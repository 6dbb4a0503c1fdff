"""The home: rooms, devices, a clock and its events. Devices change only through checked requests."""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.home import simulation
from assistant.home.clock import Clock, parse_hhmm
from assistant.home.devices import Device, DeviceKind
from assistant.home.directives import Directive, DirectiveResult, Refusal, RefusedError
from assistant.home.events import Event
from assistant.home.rules import plan
from assistant.home.states import settle, validate_values

MAX_EVENTS = 50


@dataclass
class Home:
    """A simulated home.

    Attributes:
        name: the home's name.
        rooms: room ids ("kitchen", "living_room", ...).
        devices: devices by id.
        clock: simulated time.
        events: what has happened, oldest first (the newest ``MAX_EVENTS``).
        default_user: who speaks when a request names no user and its device has no
            default user of its own (the service), or None.
    """

    name: str
    rooms: list[str]
    devices: dict[str, Device]
    clock: Clock = field(default_factory=Clock)
    events: list[Event] = field(default_factory=list)
    default_user: str | None = None

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Home:
        """Read a home YAML file.

        Raises:
            HomeFileError: the file can't be read or is invalid; the message names file and problem.
        """
        from assistant.home.loader import load_home

        return load_home(Path(path))

    @classmethod
    def default(cls) -> Home:
        """A fresh copy of the home that ships with the project (``assistant/homes/default.yml``)."""
        from assistant.home.loader import default_home_path

        return cls.load(default_home_path())

    # -- queries -----------------------------------------------------------------------

    def default_user_of(self, device_id: str) -> str | None:
        """Who speaks to ``device_id`` when a request names no user: the device's default
        user, else the home's, else None."""
        device = self.devices.get(device_id)
        return (device.default_user if device is not None else None) or self.default_user

    def find(self, kind: DeviceKind | str | None = None, room: str | None = None) -> list[Device]:
        """Devices of a kind (a DeviceKind or its value) and/or in a room, in home order."""
        wanted = DeviceKind(kind) if isinstance(kind, str) else kind
        return [d for d in self.devices.values()
                if (wanted is None or d.kind is wanted) and (room is None or d.room == room)]

    def devices_in(self, room: str) -> list[Device]:
        """The devices in a room, in home order."""
        return self.find(room=room)

    def recent_events(self, n: int = 5) -> list[Event]:
        """The newest ``n`` events, oldest of them first."""
        return list(self.events[-n:]) if n > 0 else []

    # -- changes -----------------------------------------------------------------------

    def check(self, directive: Directive | str) -> DirectiveResult:
        """What ``apply`` would do, without changing anything (a dry run).

        Raises:
            DirectiveParseError: ``directive`` is text that isn't a directive.
        """
        return self._plan(_directive(directive))[0]

    def apply(self, directive: Directive | str) -> DirectiveResult:
        """Apply a directive all-or-nothing: when refused, nothing changes.

        Raises:
            DirectiveParseError: ``directive`` is text that isn't a directive.
        """
        result, new_state = self._plan(_directive(directive))
        if result.ok and new_state is not None and result.directive is not None:
            self.devices[result.directive.device_id].state = new_state
        return result

    def _plan(self, directive: Directive) -> tuple[DirectiveResult, dict[str, Any] | None]:
        device = self.devices.get(directive.device_id)
        if device is None:
            return DirectiveResult.refused(directive, Refusal.NO_SUCH_DEVICE,
                                           f"there is no device {directive.device_id!r}"), None
        outcome = plan(device, directive, self.clock.now)
        if isinstance(outcome, DirectiveResult):
            return outcome, None
        return _result(device, directive, outcome), outcome

    def set_state(self, device_id: str, values: dict[str, Any]) -> DirectiveResult:
        """Set state values by hand (chat ``/set``, scenario ``set:``), validated, all-or-nothing.

        ``{"power": "on", "temperature": 180}`` on the oven; power takes "on"/"off" or a bool.
        Unknown keys are UNSUPPORTED, bad values INVALID_VALUE; refused => nothing changed.
        """
        device = self.devices.get(device_id)
        if device is None:
            return DirectiveResult.refused(None, Refusal.NO_SUCH_DEVICE, f"there is no device {device_id!r}")
        if not isinstance(values, dict) or not values:
            return DirectiveResult.refused(None, Refusal.INVALID_VALUE, "nothing to set")
        state = copy.deepcopy(device.state)
        try:
            state.update(validate_values(device, values))
            settle(device, state, frozenset(values))
        except RefusedError as error:
            return DirectiveResult.refused(None, error.refusal, error.message)
        result = _result(device, None, state)
        device.state = state
        return result

    # -- time --------------------------------------------------------------------------

    def advance(self, minutes: float) -> list[Event]:
        """Move the clock on (to the second); the events that fired, in time order.

        Raises:
            ValueError: ``minutes`` is negative or not a finite number.
        """
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) \
                or not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"can only move the clock forward by a number of minutes, not {minutes!r}")
        end = self.clock.now + dt.timedelta(seconds=round(minutes * 60))
        fired = simulation.run(self.devices.values(), self.clock.now, end)
        self.clock.now = end
        self.events.extend(fired)
        del self.events[:-MAX_EVENTS]
        return fired

    def set_time(self, hhmm: str) -> list[Event]:
        """Move the clock forward to the next ``hh:mm`` (no move if it shows that already).

        Raises:
            ValueError: ``hhmm`` is not a time like 07:30.
        """
        hour, minute = parse_hhmm(hhmm)
        if (self.clock.now.hour, self.clock.now.minute) == (hour, minute):
            return []
        target = self.clock.next_occurrence(hhmm)
        return self.advance((target - self.clock.now).total_seconds() / 60)

    # -- snapshots ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole home as JSON-safe data; ``Home.from_snapshot`` rebuilds an equal home."""
        data: dict[str, Any] = {
            "name": self.name,
            "rooms": list(self.rooms),
            "now": self.clock.now.isoformat(timespec="seconds"),
            "devices": [d.to_dict() for d in self.devices.values()],
            "events": [e.to_dict() for e in self.events],
        }
        if self.default_user is not None:
            data["default_user"] = self.default_user
        return data

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Home:
        """Rebuild a home from ``snapshot()``."""
        devices = [Device.from_dict(d) for d in data["devices"]]
        return cls(
            name=data.get("name", "home"),
            rooms=list(data["rooms"]),
            devices={d.id: d for d in devices},
            clock=Clock(dt.datetime.fromisoformat(data["now"])),
            events=[Event.from_dict(e) for e in data.get("events", [])],
            default_user=data.get("default_user"),
        )


def _directive(directive: Directive | str) -> Directive:
    return directive if isinstance(directive, Directive) else Directive.parse(directive)


def _result(device: Device, directive: Directive | None, state: dict[str, Any]) -> DirectiveResult:
    changes = {k: copy.deepcopy(v) for k, v in state.items() if device.state.get(k) != v}
    if not changes:
        return DirectiveResult(True, directive, None, f"the {device.name} is already like that",
                               {}, unchanged=True)
    described = ", ".join(f"{key} {_words(value)}" for key, value in changes.items())
    return DirectiveResult(True, directive, None, f"the {device.name}: {described}", changes)


def _words(value: Any) -> str:
    if isinstance(value, dict) and "title" in value:
        return f"{value['title']} ({value.get('format')})"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value) or "none"
    if isinstance(value, dict):
        return str(value.get("label") or value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
