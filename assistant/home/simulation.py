"""Time passing: alarms ring, timers finish, the oven heats and cools, the indoor temperature drifts.

The simulation jumps from one interesting moment (an alarm, a timer's end, the oven reaching
its target) to the next, updating temperatures exactly in between, so a long ``advance``
costs one step per event, not one per minute.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable

from assistant.home.clock import parse_hhmm
from assistant.home.devices import Capability, Device
from assistant.home.events import Event, EventKind

OVEN_HEAT_PER_MINUTE = 10.0
OVEN_COOL_PER_MINUTE = 3.0
ROOM_TEMPERATURE = 20
THERMOSTAT_DRIFT_PER_MINUTE = 0.1
_EPSILON = 1e-6


def run(devices: Iterable[Device], start: dt.datetime, end: dt.datetime) -> list[Event]:
    """Update the devices' states from ``start`` to ``end``; the events that fired, in time order.

    Alarms ring at moments in (start, end]; timers that ended by ``end`` (even before
    ``start``) finish; the oven's preheat event fires when it reaches its target.
    """
    devices = list(devices)
    fired = _finish_timers(devices, start)
    now = start
    while now < end:
        moment = min([end, *(m for m in _upcoming(devices, now) if now < m < end)])
        minutes = (moment - now).total_seconds() / 60
        for device in devices:
            fired.extend(_evolve(device, minutes, moment))
        fired.extend(_ring_alarms(devices, moment))
        fired.extend(_finish_timers(devices, moment))
        now = moment
    return sorted(fired, key=lambda event: event.at)


def _upcoming(devices: list[Device], now: dt.datetime) -> list[dt.datetime]:
    """Every moment after ``now`` at which something will happen (if nothing changes first)."""
    moments: list[dt.datetime] = []
    for device in devices:
        state = device.state
        if Capability.ALARM in device.capabilities:
            moments.extend(_next_ring(alarm, now) for alarm in state.get("alarms", []))
        if Capability.TIMER in device.capabilities:
            moments.extend(_ends(t) for t in state.get("timers", []) if _ends(t) > now)
        if _heating(device):
            minutes = (state["target_temperature"] - state["temperature"]) / OVEN_HEAT_PER_MINUTE
            moments.append(now + dt.timedelta(seconds=math.ceil(round(minutes * 60, 6))))
    return moments


def _next_ring(alarm: str, now: dt.datetime) -> dt.datetime:
    hour, minute = parse_hhmm(alarm)
    ring = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return ring if ring > now else ring + dt.timedelta(days=1)


def _ends(timer: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(timer["ends_at"])


def _heating(device: Device) -> bool:
    state = device.state
    target = state.get("target_temperature")
    return (Capability.TEMPERATURE in device.capabilities and state.get("power") == "on"
            and target is not None and state.get("temperature", ROOM_TEMPERATURE) < target)


def _ring_alarms(devices: list[Device], moment: dt.datetime) -> list[Event]:
    fired = []
    for device in devices:
        if Capability.ALARM not in device.capabilities:
            continue
        for alarm in device.state.get("alarms", []):
            hour, minute = parse_hhmm(alarm)
            if (moment.hour, moment.minute, moment.second, moment.microsecond) == (hour, minute, 0, 0):
                fired.append(Event(moment, EventKind.ALARM_RANG, device.id, {"time": alarm}))
    return fired


def _finish_timers(devices: list[Device], moment: dt.datetime) -> list[Event]:
    fired: list[Event] = []
    for device in devices:
        timers = device.state.get("timers") if Capability.TIMER in device.capabilities else None
        if not timers:
            continue
        done = [t for t in timers if _ends(t) <= moment]
        device.state["timers"] = [t for t in timers if _ends(t) > moment]
        fired.extend(Event(_ends(t), EventKind.TIMER_DONE, device.id, dict(t)) for t in done)
    return fired


def _evolve(device: Device, minutes: float, moment: dt.datetime) -> list[Event]:
    """Move the device's temperatures on by ``minutes``; the preheat event if it got there."""
    state = device.state
    if Capability.THERMOSTAT in device.capabilities:
        state["current_temperature"] = _toward(state["current_temperature"], state["target_temperature"],
                                               THERMOSTAT_DRIFT_PER_MINUTE * minutes)
    if Capability.TEMPERATURE not in device.capabilities:
        return []
    current = state.get("temperature", ROOM_TEMPERATURE)
    target = state.get("target_temperature") if state.get("power") == "on" else None
    if target is None:
        if current > ROOM_TEMPERATURE:
            state["temperature"] = _toward(current, ROOM_TEMPERATURE, OVEN_COOL_PER_MINUTE * minutes)
        return []
    if current < target:
        state["temperature"] = _toward(current, target, OVEN_HEAT_PER_MINUTE * minutes)
        if state["temperature"] == target:
            return [Event(moment, EventKind.OVEN_PREHEATED, device.id, {"temperature": target})]
    elif current > target:
        state["temperature"] = _toward(current, target, OVEN_COOL_PER_MINUTE * minutes)
    return []


def _toward(current: float, target: float, step: float) -> int | float:
    """``current`` moved by at most ``step`` toward ``target``, to 0.1 (integral -> int)."""
    if abs(target - current) <= step + _EPSILON:
        value = float(target)
    else:
        value = current + step if target > current else current - step
    value = round(value, 1)
    return int(value) if value.is_integer() else value
