"""Say a device's state in words ("The garage door is closed.")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.home import Device


def describe(device: "Device") -> str:
    """One sentence about a device's state."""
    s = device.state
    name = f"The {device.name}"
    kind = device.kind.value
    if kind == "garage_door":
        return f"{name} is {s.get('position', 'closed')}."
    if kind == "lock":
        return f"{name} is {'locked' if s.get('locked') else 'unlocked'}."
    if kind == "thermostat":
        return (f"{name} is set to {s.get('target_temperature')} degrees; "
                f"it's {s.get('current_temperature')} degrees inside.")
    if kind == "oven":
        if s.get("power") != "on":
            return f"{name} is off."
        return f"{name} is on, at {s.get('temperature')} degrees, heating to {s.get('target_temperature')}."
    if kind == "coffee_maker":
        if s.get("brewing"):
            return f"{name} is brewing."
        return f"{name} is {s.get('power', 'off')}."
    if kind == "alarm_clock":
        alarms = s.get("alarms") or []
        return f"{name} has alarms at {', '.join(alarms)}." if alarms else f"{name} has no alarms set."
    playing = s.get("playing")
    if playing:
        return f"{name} is playing {playing.get('title')}."
    if "power" in s:
        extra = ""
        if s.get("power") == "on" and "brightness" in s:
            extra = f" at {s['brightness']}% brightness"
            if s.get("color"):
                extra += f", {s['color']}"
        return f"{name} is {s['power']}{extra}."
    return f"{name} is idle."
