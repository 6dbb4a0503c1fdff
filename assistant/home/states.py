"""Manual state values (home files, the chat's /set, scenario ``set:``): validation and invariants.

Every value is checked against the device's capabilities and normalised ("on"/True -> "on",
"7:05" -> "07:05"); ``settle`` then keeps a state coherent (a device that is off is not
brewing or playing, and an oven that is off has no target).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from assistant.home.clock import normalize_hhmm
from assistant.home.devices import (
    BRIGHTNESS_RANGE,
    MUSIC,
    OVEN_RANGE,
    THERMOSTAT_RANGE,
    Capability,
    Device,
    colors,
    media_formats,
)
from assistant.home.directives import Refusal, RefusedError, to_number

OVEN_SENSOR_RANGE = (0, 300)
INDOOR_SENSOR_RANGE = (-30, 50)
SCREEN_FORMATS = frozenset({"film"})
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
# State keys that make a powered device active, with their idle value.
_ACTIVE: dict[str, Any] = {"brewing": False, "playing": None, "target_temperature": None}


class NoScreenError(ValueError):
    """A film (or other picture format) for a device without a screen."""


def validate_values(device: Device, values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise manual state values for a device.

    Raises:
        RefusedError: UNSUPPORTED for a key its capabilities don't have,
            INVALID_VALUE for a value out of range or of the wrong type.
    """
    allowed = device.state_keys()
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in allowed:
            raise RefusedError(
                Refusal.UNSUPPORTED,
                f"the {device.name} has no {key!r}; it has: {', '.join(sorted(allowed))}")
        try:
            out[key] = _COERCE[key](device, raw)
        except NoScreenError as error:
            raise RefusedError(Refusal.UNSUPPORTED, str(error)) from None
        except ValueError as error:
            raise RefusedError(Refusal.INVALID_VALUE, f"the {device.name}'s {key}: {error}") from None
    return out


def settle(device: Device, state: dict[str, Any], explicit: frozenset[str] = frozenset()) -> None:
    """Make ``state`` coherent in place.

    A device that is off can't be brewing, playing or heating: if the value making it active
    was given explicitly (in ``explicit``) the device is switched on, otherwise the value is
    reset. The oven switched on with a temperature and no target keeps that temperature.

    Raises:
        RefusedError: INVALID_VALUE when power "off" and an active value were both given.
    """
    if Capability.POWER not in device.capabilities:
        return
    if (Capability.TEMPERATURE in device.capabilities and state.get("power") == "on"
            and {"power", "temperature"} <= explicit and "target_temperature" not in explicit
            and state.get("target_temperature") is None
            and OVEN_RANGE[0] <= state.get("temperature", 0) <= OVEN_RANGE[1]):
        state["target_temperature"] = state["temperature"]
    for key, idle in _ACTIVE.items():
        if key not in state or state[key] == idle or state.get("power") == "on":
            continue
        if key in explicit and "power" in explicit:
            raise RefusedError(Refusal.INVALID_VALUE,
                               f"the {device.name} can't have {key} {state[key]!r} while off")
        if key in explicit:
            state["power"] = "on"
        else:
            state[key] = idle


def _power(device: Device, raw: Any) -> str:
    if isinstance(raw, bool):
        return "on" if raw else "off"
    if str(raw).strip().lower() in ("on", "off"):
        return str(raw).strip().lower()
    raise ValueError(f"expected on or off, not {raw!r}")


def _flag(*true_words: str, false_words: tuple[str, ...] = ()) -> Callable[[Device, Any], bool]:
    def coerce(device: Device, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in _TRUE or word in true_words:
            return True
        if word in _FALSE or word in false_words:
            return False
        raise ValueError(f"expected true or false, not {raw!r}")
    return coerce


def _number(raw: Any, low: float, high: float) -> int | float:
    number = to_number(raw)
    if number is None:
        raise ValueError(f"expected a number, not {raw!r}")
    if not low <= number <= high:
        raise ValueError(f"{number} is outside {low}..{high}")
    return number


def _brightness(device: Device, raw: Any) -> int:
    return int(round(_number(raw, *BRIGHTNESS_RANGE)))


def _color(device: Device, raw: Any) -> str:
    color = " ".join(str(raw).lower().split())
    if color not in colors():
        raise ValueError(f"unknown colour {raw!r} (known: {', '.join(colors())})")
    return color


def _temperature(device: Device, raw: Any) -> int | float:
    return _number(raw, *OVEN_SENSOR_RANGE)


def _target_temperature(device: Device, raw: Any) -> int | float | None:
    if Capability.THERMOSTAT in device.capabilities:
        return _number(raw, *THERMOSTAT_RANGE)
    if raw is None or str(raw).strip().lower() in ("none", "null", ""):
        return None
    return _number(raw, *OVEN_RANGE)


def _current_temperature(device: Device, raw: Any) -> int | float:
    return _number(raw, *INDOOR_SENSOR_RANGE)


def _position(device: Device, raw: Any) -> str:
    word = str(raw).strip().lower()
    if word not in ("open", "closed"):
        raise ValueError(f"expected open or closed, not {raw!r}")
    return word


def playing_value(device: Device, raw: Any) -> dict[str, str] | None:
    """Normalise what a media device plays: None, ``"TITLE|FORMAT"`` or ``{"title", "format"}``.

    A title without a format is music.

    Raises:
        NoScreenError: a film on a device without a screen.
        ValueError: no title, or an unknown format.
    """
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "none", "null")):
        return None
    if isinstance(raw, dict):
        title, fmt = str(raw.get("title") or ""), str(raw.get("format") or MUSIC)
    else:
        title, bar, fmt = str(raw).rpartition("|")
        if not bar:
            title, fmt = fmt, MUSIC
    title, fmt = " ".join(title.split()), fmt.strip().lower()
    if not title:
        raise ValueError(f"{raw!r} has no title; expected 'TITLE|FORMAT'")
    if fmt not in media_formats():
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(media_formats())})")
    if fmt in SCREEN_FORMATS and not device.has_screen:
        raise NoScreenError(f"the {device.name} has no screen to show a {fmt}")
    return {"title": title, "format": fmt}


def _alarms(device: Device, raw: Any) -> list[str]:
    items = raw if isinstance(raw, (list, tuple)) else [] if raw is None else [raw]
    return sorted({normalize_hhmm(str(item)) for item in items})


def _timers(device: Device, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, (list, tuple)):
        raise ValueError("expected a list of timers like {ends_at: 2026-01-05T07:10:00, label: tea}")
    timers = []
    for item in raw:
        if not isinstance(item, dict) or "ends_at" not in item:
            raise ValueError(f"a timer needs 'ends_at', not {item!r}")
        try:
            ends = dt.datetime.fromisoformat(str(item["ends_at"]))
        except ValueError:
            raise ValueError(f"'ends_at' {item['ends_at']!r} is not a date and time") from None
        seconds = item.get("seconds")
        timers.append({"ends_at": ends.isoformat(timespec="seconds"),
                       "label": str(item.get("label") or ""),
                       "seconds": None if seconds is None else _number(seconds, 0, 10**7)})
    return sorted(timers, key=lambda t: t["ends_at"])


_COERCE: dict[str, Callable[[Device, Any], Any]] = {
    "power": _power,
    "brightness": _brightness,
    "color": _color,
    "temperature": _temperature,
    "target_temperature": _target_temperature,
    "current_temperature": _current_temperature,
    "position": _position,
    "locked": _flag("locked", false_words=("unlocked",)),
    "brewing": _flag("brewing"),
    "playing": playing_value,
    "alarms": _alarms,
    "timers": _timers,
}
