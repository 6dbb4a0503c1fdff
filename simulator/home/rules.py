"""What each directive does to a device's state, checked against its capabilities.

`plan` computes the new state on a copy, or a refusal; the home commits it only when
every check passed, so a directive is never half-applied.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from simulator.home.clock import parse_hhmm
from simulator.home.devices import OVEN_RANGE, THERMOSTAT_RANGE, Capability, Device, DeviceKind
from simulator.home.directives import Directive, DirectiveResult, DirectiveVerb, Refusal

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
MEDIA_FORMATS = ("film", "audiobook", "podcast", "music")
MAX_TIMER_SECONDS = 24 * 3600


def colors() -> tuple[str, ...]:
    from assistant.catalog import load_catalog

    return load_catalog().colors


def plan(device: Device, directive: Directive, now: dt.datetime) -> DirectiveResult | dict[str, Any]:
    """The device's new state after the directive, or a refusal."""
    verb, value = directive.verb, directive.value
    caps = device.capabilities
    label = f"the {device.name}"

    def refuse(reason: Refusal, message: str) -> DirectiveResult:
        return DirectiveResult.refused(directive, reason, message)

    if verb is DirectiveVerb.SET_TEMPERATURE:
        if Capability.TEMPERATURE in caps:
            low, high = OVEN_RANGE
        elif Capability.THERMOSTAT in caps:
            low, high = THERMOSTAT_RANGE
        else:
            return refuse(Refusal.UNSUPPORTED, f"{label} has no temperature setting")
        if not isinstance(value, (int, float)) or not low <= value <= high:
            return refuse(Refusal.INVALID_VALUE,
                          f"{label} can be set between {low} and {high} degrees, not {value}")
    elif NEEDS[verb] not in caps:
        return refuse(Refusal.UNSUPPORTED, f"{label} can't {verb.value.replace('_', ' ')}")

    state = copy.deepcopy(device.state)
    if verb is DirectiveVerb.TURN_ON:
        state["power"] = "on"
    elif verb is DirectiveVerb.TURN_OFF:
        state["power"] = "off"
        if Capability.BREW in caps:
            state["brewing"] = False
        if Capability.MEDIA in caps:
            state["playing"] = None
        if Capability.TEMPERATURE in caps:
            state["target_temperature"] = None
    elif verb is DirectiveVerb.SET_BRIGHTNESS:
        if not isinstance(value, (int, float)) or not 0 <= value <= 100:
            return refuse(Refusal.INVALID_VALUE, f"brightness goes from 0 to 100, not {value}")
        state["brightness"] = int(value)
        state["power"] = "on" if value > 0 else "off"
    elif verb is DirectiveVerb.SET_COLOR:
        color = str(value).lower().strip()
        if color not in colors():
            return refuse(Refusal.INVALID_VALUE, f"{label} can't be {value}; it can be "
                          + ", ".join(colors()))
        state["color"] = color
        state["power"] = "on"
    elif verb is DirectiveVerb.SET_TEMPERATURE:
        if Capability.TEMPERATURE in caps:
            state["target_temperature"] = int(value)
            state["power"] = "on"
        else:
            state["target_temperature"] = int(value)
    elif verb in (DirectiveVerb.OPEN, DirectiveVerb.CLOSE):
        state["position"] = "open" if verb is DirectiveVerb.OPEN else "closed"
    elif verb in (DirectiveVerb.LOCK, DirectiveVerb.UNLOCK):
        state["locked"] = verb is DirectiveVerb.LOCK
    elif verb is DirectiveVerb.BREW:
        state["brewing"] = True
        state["power"] = "on"
    elif verb is DirectiveVerb.PLAY:
        title, _, fmt = str(value).rpartition("|")
        if not title.strip() or fmt not in MEDIA_FORMATS:
            return refuse(Refusal.INVALID_VALUE, f"can't play {value!r}: expected 'TITLE|FORMAT' "
                          f"with a format among {', '.join(MEDIA_FORMATS)}")
        if fmt == "film" and Capability.SCREEN not in caps:
            return refuse(Refusal.UNSUPPORTED, f"{label} has no screen to show a film")
        state["playing"] = {"title": title.strip(), "format": fmt}
        if Capability.POWER in caps:
            state["power"] = "on"
    elif verb is DirectiveVerb.STOP:
        state["playing"] = None
    elif verb is DirectiveVerb.SET_ALARM:
        try:
            hour, minute = parse_hhmm(value)
        except ValueError as error:
            return refuse(Refusal.INVALID_VALUE, str(error))
        hhmm = f"{hour:02d}:{minute:02d}"
        state["alarms"] = sorted(set(state.get("alarms", [])) | {hhmm})
    elif verb is DirectiveVerb.CANCEL_ALARM:
        if value is None:
            state["alarms"] = []
        else:
            try:
                hour, minute = parse_hhmm(value)
            except ValueError as error:
                return refuse(Refusal.INVALID_VALUE, str(error))
            state["alarms"] = [a for a in state.get("alarms", []) if a != f"{hour:02d}:{minute:02d}"]
    elif verb is DirectiveVerb.START_TIMER:
        if not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMER_SECONDS:
            return refuse(Refusal.INVALID_VALUE, f"a timer runs 1 second to 24 hours, not {value}")
        ends = now + dt.timedelta(seconds=float(value))
        state["timers"] = [*state.get("timers", []),
                           {"ends_at": ends.isoformat(timespec="seconds"), "seconds": value}]
    elif verb is DirectiveVerb.CANCEL_TIMER:
        state["timers"] = []
    if device.kind is DeviceKind.OVEN and state.get("power") == "off":
        state["target_temperature"] = None
    return state


def check_state_values(device: Device, values: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Normalise a manual state change; return (new values, problem or None)."""
    allowed = device.state_keys()
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in allowed:
            return {}, f"the {device.name} has no {key!r}; it has: {', '.join(sorted(allowed))}"
        try:
            out[key] = _coerce(device, key, raw)
        except ValueError as error:
            return {}, f"{key}: {error}"
    return out, None


def _coerce(device: Device, key: str, raw: Any) -> Any:
    if key == "power":
        if raw is True or str(raw).lower() in ("on", "true", "1", "yes"):
            return "on"
        if raw is False or str(raw).lower() in ("off", "false", "0", "no"):
            return "off"
        raise ValueError(f"expected on or off, not {raw!r}")
    if key in ("locked", "brewing"):
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "yes", "1", "on", "locked"):
            return True
        if str(raw).lower() in ("false", "no", "0", "off", "unlocked"):
            return False
        raise ValueError(f"expected true or false, not {raw!r}")
    if key == "position":
        if str(raw).lower() in ("open", "closed"):
            return str(raw).lower()
        raise ValueError(f"expected open or closed, not {raw!r}")
    if key == "color":
        if str(raw).lower() in colors():
            return str(raw).lower()
        raise ValueError(f"unknown colour {raw!r}")
    if key in ("brightness", "temperature", "target_temperature", "current_temperature"):
        if raw is None and key == "target_temperature":
            return None
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"expected a number, not {raw!r}") from None
        if key == "brightness" and not 0 <= number <= 100:
            raise ValueError("brightness goes from 0 to 100")
        if not -50 <= number <= 400:
            raise ValueError(f"{number} is out of range")
        return int(number) if number.is_integer() else number
    if key == "alarms":
        items = raw if isinstance(raw, list) else [raw]
        result = []
        for item in items:
            hour, minute = parse_hhmm(str(item))
            result.append(f"{hour:02d}:{minute:02d}")
        return sorted(set(result))
    if key == "playing":
        if raw is None or raw == "":
            return None
        if isinstance(raw, dict) and "title" in raw:
            return {"title": str(raw["title"]), "format": str(raw.get("format", "music"))}
        title, _, fmt = str(raw).rpartition("|")
        return {"title": title or str(raw), "format": fmt if title else "music"}
    if key == "timers":
        if isinstance(raw, list):
            return raw
        raise ValueError("expected a list")
    return raw
