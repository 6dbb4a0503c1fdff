"""The home: rooms, devices, a clock and events. Devices change only through directives."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.home.clock import Clock, parse_hhmm
from simulator.home.devices import Capability, Device, DeviceKind
from simulator.home.directives import Directive, DirectiveResult, Refusal
from simulator.home.events import Event, EventKind
from simulator.home.rules import check_state_values, plan

OVEN_HEAT_PER_MINUTE = 10.0
OVEN_COOL_PER_MINUTE = 3.0
ROOM_TEMPERATURE = 20
THERMOSTAT_DRIFT_PER_MINUTE = 0.1
MAX_EVENTS = 200


@dataclass
class Home:
    """A simulated home."""

    name: str
    rooms: list[str]
    devices: dict[str, Device]
    clock: Clock = field(default_factory=Clock)
    events: list[Event] = field(default_factory=list)

    # -- loading -------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> "Home":
        """Read a home YAML file; raise HomeFileError naming the file and the problem."""
        from simulator.home.loader import load_home

        return load_home(Path(path))

    @classmethod
    def default(cls) -> "Home":
        """The home that ships with the project."""
        from simulator.home.loader import default_home_path

        return cls.load(default_home_path())

    # -- queries -------------------------------------------------------------------

    def find(self, kind: DeviceKind | str | None = None, room: str | None = None) -> list[Device]:
        """Devices of a kind and/or in a room."""
        wanted = DeviceKind(kind) if isinstance(kind, str) else kind
        return [d for d in self.devices.values()
                if (wanted is None or d.kind is wanted) and (room is None or d.room == room)]

    def devices_in(self, room: str) -> list[Device]:
        return [d for d in self.devices.values() if d.room == room]

    def recent_events(self, n: int = 5) -> list[Event]:
        return self.events[-n:] if n > 0 else []

    # -- changes -------------------------------------------------------------------

    def check(self, directive: Directive) -> DirectiveResult:
        """What `apply` would do, without changing anything."""
        return self._plan(directive)[0]

    def apply(self, directive: Directive) -> DirectiveResult:
        """Apply a directive all-or-nothing."""
        result, new_state = self._plan(directive)
        if result.ok and new_state is not None and not result.unchanged:
            self.devices[directive.device_id].state = new_state
        return result

    def _plan(self, directive: Directive) -> tuple[DirectiveResult, dict[str, Any] | None]:
        device = self.devices.get(directive.device_id)
        if device is None:
            return DirectiveResult.refused(directive, Refusal.NO_SUCH_DEVICE,
                                           f"there is no device {directive.device_id!r}"), None
        outcome = plan(device, directive, self.clock.now)
        if isinstance(outcome, DirectiveResult):
            return outcome, None
        changes = {k: v for k, v in outcome.items() if device.state.get(k) != v}
        unchanged = not changes
        message = f"the {device.name} is already as asked" if unchanged else f"{directive} done"
        return DirectiveResult(True, directive, None, message, changes, unchanged), outcome

    def set_state(self, device_id: str, values: dict[str, Any]) -> DirectiveResult:
        """Set state by hand (scenario files, the chat's /set), validated; all or nothing."""
        device = self.devices.get(device_id)
        if device is None:
            return DirectiveResult.refused(None, Refusal.NO_SUCH_DEVICE,
                                           f"there is no device {device_id!r}")
        if not isinstance(values, dict) or not values:
            return DirectiveResult.refused(None, Refusal.INVALID_VALUE, "nothing to set")
        new_values, problem = check_state_values(device, values)
        if problem:
            return DirectiveResult.refused(None, Refusal.INVALID_VALUE, problem)
        if device.kind is DeviceKind.OVEN and new_values.get("power") == "on" \
                and "target_temperature" not in new_values and "temperature" in new_values:
            new_values["target_temperature"] = new_values["temperature"]
        changes = {k: v for k, v in new_values.items() if device.state.get(k) != v}
        device.state.update(copy.deepcopy(new_values))
        if device.kind is DeviceKind.OVEN and device.state.get("power") == "off":
            device.state["target_temperature"] = None
        return DirectiveResult(True, None, None, f"{device_id} updated", changes, not changes)

    # -- time ----------------------------------------------------------------------

    def set_time(self, hhmm: str) -> list[Event]:
        """Move the clock forward to the next hh:mm (firing what falls in between)."""
        target = self.clock.next_occurrence(hhmm) if self._valid(hhmm) else None
        if target is None:
            raise ValueError(f"{hhmm!r} is not a time like 07:30")
        return self.advance((target - self.clock.now).total_seconds() / 60)

    @staticmethod
    def _valid(hhmm: str) -> bool:
        try:
            parse_hhmm(hhmm)
        except ValueError:
            return False
        return True

    def advance(self, minutes: float) -> list[Event]:
        """Move the clock; fire alarms, timers and the oven reaching temperature, in time order."""
        if minutes < 0:
            raise ValueError("the clock only moves forward")
        end = self.clock.now + dt.timedelta(minutes=minutes)
        fired: list[Event] = []
        step = dt.timedelta(minutes=1)
        while self.clock.now < end:
            moment = min(self.clock.now + step, end)
            elapsed = (moment - self.clock.now).total_seconds() / 60
            fired.extend(self._tick(self.clock.now, moment, elapsed))
            self.clock.now = moment
        self.events.extend(fired)
        del self.events[:-MAX_EVENTS]
        return fired

    def _tick(self, start: dt.datetime, end: dt.datetime, minutes: float) -> list[Event]:
        fired: list[Event] = []
        for device in self.devices.values():
            state = device.state
            for alarm in state.get("alarms", []) if Capability.ALARM in device.capabilities else []:
                hour, minute = parse_hhmm(alarm)
                ring = start.replace(hour=hour, minute=minute, second=0, microsecond=0)
                if ring <= start:
                    ring += dt.timedelta(days=1)
                if start < ring <= end:
                    fired.append(Event(ring, EventKind.ALARM_RANG, device.id, {"time": alarm}))
            if Capability.TIMER in device.capabilities and state.get("timers"):
                keep = []
                for timer in state["timers"]:
                    ends = dt.datetime.fromisoformat(timer["ends_at"])
                    if ends <= end:
                        fired.append(Event(ends, EventKind.TIMER_DONE, device.id, dict(timer)))
                    else:
                        keep.append(timer)
                state["timers"] = keep
            if device.kind is DeviceKind.OVEN:
                fired.extend(self._oven(device, end, minutes))
            if Capability.THERMOSTAT in device.capabilities:
                current, target = state.get("current_temperature"), state.get("target_temperature")
                if isinstance(current, (int, float)) and isinstance(target, (int, float)) and current != target:
                    move = THERMOSTAT_DRIFT_PER_MINUTE * minutes
                    nxt = min(target, current + move) if target > current else max(target, current - move)
                    state["current_temperature"] = round(nxt, 1)
        return sorted(fired, key=lambda e: e.at)

    @staticmethod
    def _oven(device: Device, end: dt.datetime, minutes: float) -> list[Event]:
        state = device.state
        current = float(state.get("temperature", ROOM_TEMPERATURE))
        target = state.get("target_temperature")
        if state.get("power") == "on" and isinstance(target, (int, float)):
            if current < target:
                new = min(float(target), current + OVEN_HEAT_PER_MINUTE * minutes)
                state["temperature"] = int(round(new))
                if new >= target:
                    return [Event(end, EventKind.OVEN_PREHEATED, device.id, {"temperature": target})]
            return []
        if current > ROOM_TEMPERATURE:
            state["temperature"] = int(round(max(ROOM_TEMPERATURE, current - OVEN_COOL_PER_MINUTE * minutes)))
        return []

    # -- snapshots -----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole home as JSON-safe data."""
        return {
            "name": self.name,
            "rooms": list(self.rooms),
            "now": self.clock.now.isoformat(timespec="seconds"),
            "devices": [d.to_dict() for d in self.devices.values()],
            "events": [e.to_dict() for e in self.events[-20:]],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> "Home":
        """Rebuild a home from `snapshot()`."""
        devices = [Device.from_dict(d) for d in data["devices"]]
        return cls(
            name=data.get("name", "home"),
            rooms=list(data["rooms"]),
            devices={d.id: d for d in devices},
            clock=Clock(dt.datetime.fromisoformat(data["now"])),
            events=[Event.from_dict(e) for e in data.get("events", [])],
        )
