"""What each directive does to a device, checked against its capabilities.

``plan`` computes the device's new state on a copy, or a refusal; the home commits the copy
only when every check passed, so a directive is never half-applied.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from assistant.home.clock import normalize_hhmm
from assistant.home.devices import (
    BRIGHTNESS_RANGE,
    OVEN_RANGE,
    THERMOSTAT_RANGE,
    Capability,
    Device,
    colors,
)
from assistant.home.directives import (
    Directive,
    DirectiveResult,
    DirectiveVerb,
    Refusal,
    RefusedError,
    takes_number,
    to_number,
)
from assistant.home.states import NoScreenError, playing_value, settle

MAX_TIMER_SECONDS = 24 * 3600

# The capability each verb needs (SET_TEMPERATURE needs TEMPERATURE or THERMOSTAT).
NEEDS: dict[DirectiveVerb, Capability] = {
    DirectiveVerb.TURN_ON: Capability.POWER,
    DirectiveVerb.TURN_OFF: Capability.POWER,
    DirectiveVerb.SET_BRIGHTNESS: Capability.BRIGHTNESS,
    DirectiveVerb.SET_COLOR: Capability.COLOR,
    DirectiveVerb.OPEN: Capability.OPEN_CLOSE,
    DirectiveVerb.CLOSE: Capability.OPEN_CLOSE,
    DirectiveVerb.LOCK: Capability.LOCK,
    DirectiveVerb.UNLOCK: Capability.LOCK,
    DirectiveVerb.BREW: Capability.BREW,
    DirectiveVerb.PLAY: Capability.MEDIA,
    DirectiveVerb.STOP: Capability.MEDIA,
    DirectiveVerb.SET_ALARM: Capability.ALARM,
    DirectiveVerb.CANCEL_ALARM: Capability.ALARM,
    DirectiveVerb.START_TIMER: Capability.TIMER,
    DirectiveVerb.CANCEL_TIMER: Capability.TIMER,
}

_CANT = {
    DirectiveVerb.TURN_ON: "be turned on",
    DirectiveVerb.TURN_OFF: "be turned off",
    DirectiveVerb.SET_BRIGHTNESS: "be dimmed",
    DirectiveVerb.SET_COLOR: "change colour",
    DirectiveVerb.SET_TEMPERATURE: "be set to a temperature",
    DirectiveVerb.OPEN: "open",
    DirectiveVerb.CLOSE: "close",
    DirectiveVerb.LOCK: "lock",
    DirectiveVerb.UNLOCK: "unlock",
    DirectiveVerb.BREW: "brew",
    DirectiveVerb.PLAY: "play anything",
    DirectiveVerb.STOP: "stop playing",
    DirectiveVerb.SET_ALARM: "set alarms",
    DirectiveVerb.CANCEL_ALARM: "cancel alarms",
    DirectiveVerb.START_TIMER: "run timers",
    DirectiveVerb.CANCEL_TIMER: "cancel timers",
}


def plan(device: Device, directive: Directive, now: dt.datetime) -> DirectiveResult | dict[str, Any]:
    """The device's whole new state after the directive, or the refusal; ``device`` is not touched."""
    try:
        _check_capability(device, directive.verb)
        value = _value(device, directive)
        state = copy.deepcopy(device.state)
        _APPLY[directive.verb](device, state, value, now)
        settle(device, state)
    except RefusedError as refused:
        return DirectiveResult.refused(directive, refused.refusal, refused.message)
    return state


def _check_capability(device: Device, verb: DirectiveVerb) -> None:
    if verb is DirectiveVerb.SET_TEMPERATURE:
        able = {Capability.TEMPERATURE, Capability.THERMOSTAT} & device.capabilities
    else:
        able = {NEEDS[verb]} & device.capabilities
    if not able:
        raise RefusedError(Refusal.UNSUPPORTED, f"the {device.name} can't {_CANT[verb]}")


def _value(device: Device, directive: Directive) -> Any:
    """The directive's value, checked (INVALID_VALUE) and normalised for this device."""
    verb, raw = directive.verb, directive.value
    if takes_number(verb):
        number = to_number(raw)
        if number is None:
            raise RefusedError(Refusal.INVALID_VALUE, f"{raw!r} is not a number")
        low, high = _range(device, verb)
        if not low <= number <= high:
            raise RefusedError(Refusal.INVALID_VALUE, _out_of_range(device, verb, number, low, high))
        return number
    if verb is DirectiveVerb.SET_COLOR:
        color = " ".join(str(raw or "").lower().split())
        if color not in colors():
            raise RefusedError(Refusal.INVALID_VALUE, f"the {device.name} can't be {raw}; "
                               f"it can be {', '.join(colors())}")
        return color
    if verb is DirectiveVerb.PLAY:
        if raw is None or (isinstance(raw, str) and "|" not in raw):
            raise RefusedError(Refusal.INVALID_VALUE, f"can't play {raw!r}: expected 'TITLE|FORMAT'")
        try:
            return playing_value(device, raw)
        except NoScreenError as error:
            raise RefusedError(Refusal.UNSUPPORTED, f"can't play that: {error}") from None
        except ValueError as error:
            raise RefusedError(Refusal.INVALID_VALUE, f"can't play that: {error}") from None
    if verb is DirectiveVerb.SET_ALARM or (verb is DirectiveVerb.CANCEL_ALARM and raw is not None):
        try:
            return normalize_hhmm(str(raw))
        except ValueError as error:
            raise RefusedError(Refusal.INVALID_VALUE, str(error)) from None
    return raw


def _range(device: Device, verb: DirectiveVerb) -> tuple[float, float]:
    if verb is DirectiveVerb.SET_BRIGHTNESS:
        return BRIGHTNESS_RANGE
    if verb is DirectiveVerb.START_TIMER:
        return (1, MAX_TIMER_SECONDS)
    return OVEN_RANGE if Capability.TEMPERATURE in device.capabilities else THERMOSTAT_RANGE


def _out_of_range(device: Device, verb: DirectiveVerb, number: float, low: float, high: float) -> str:
    if verb is DirectiveVerb.SET_BRIGHTNESS:
        return f"brightness goes from {low} to {high} percent, not {number}"
    if verb is DirectiveVerb.START_TIMER:
        return f"a timer runs from 1 second to 24 hours, not {number} seconds"
    return f"the {device.name} can be set between {low} and {high} degrees, not {number}"


def _power_on(device: Device, state: dict[str, Any]) -> None:
    if Capability.POWER in device.capabilities:
        state["power"] = "on"


def _turn_on(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["power"] = "on"


def _turn_off(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["power"] = "off"


def _set_brightness(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    if value == 0 and Capability.POWER in device.capabilities:
        state["power"] = "off"
        return
    state["brightness"] = int(round(value))
    _power_on(device, state)


def _set_color(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["color"] = value
    _power_on(device, state)


def _set_temperature(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["target_temperature"] = value
    if Capability.TEMPERATURE in device.capabilities:
        _power_on(device, state)


def _open(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["position"] = "open"


def _close(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["position"] = "closed"


def _lock(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["locked"] = True


def _unlock(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["locked"] = False


def _brew(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["brewing"] = True
    _power_on(device, state)


def _play(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["playing"] = value
    _power_on(device, state)


def _stop(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    if device.is_off:
        raise RefusedError(Refusal.DEVICE_OFF, f"the {device.name} is off")
    state["playing"] = None


def _set_alarm(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["alarms"] = sorted(set(state.get("alarms", [])) | {value})


def _cancel_alarm(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["alarms"] = [] if value is None else [a for a in state.get("alarms", []) if a != value]


def _start_timer(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    ends = (now + dt.timedelta(seconds=value)).replace(microsecond=0)
    timer = {"ends_at": ends.isoformat(timespec="seconds"), "label": duration_label(value),
             "seconds": value}
    state["timers"] = sorted([*state.get("timers", []), timer], key=lambda t: t["ends_at"])


def _cancel_timer(device: Device, state: dict[str, Any], value: Any, now: dt.datetime) -> None:
    state["timers"] = []


_APPLY = {
    DirectiveVerb.TURN_ON: _turn_on,
    DirectiveVerb.TURN_OFF: _turn_off,
    DirectiveVerb.SET_BRIGHTNESS: _set_brightness,
    DirectiveVerb.SET_COLOR: _set_color,
    DirectiveVerb.SET_TEMPERATURE: _set_temperature,
    DirectiveVerb.OPEN: _open,
    DirectiveVerb.CLOSE: _close,
    DirectiveVerb.LOCK: _lock,
    DirectiveVerb.UNLOCK: _unlock,
    DirectiveVerb.BREW: _brew,
    DirectiveVerb.PLAY: _play,
    DirectiveVerb.STOP: _stop,
    DirectiveVerb.SET_ALARM: _set_alarm,
    DirectiveVerb.CANCEL_ALARM: _cancel_alarm,
    DirectiveVerb.START_TIMER: _start_timer,
    DirectiveVerb.CANCEL_TIMER: _cancel_timer,
}


def duration_label(seconds: float) -> str:
    """``600`` -> ``"10 minutes"``, ``5400`` -> ``"1 hour 30 minutes"``, ``45`` -> ``"45 seconds"``."""
    total = int(round(seconds))
    parts = []
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts) or "0 seconds"
