"""Directives: the only way a device changes ("turn_on kitchen_light", "set_temperature oven 180")."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class DirectiveVerb(enum.Enum):
    """What a directive asks a device to do."""

    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    SET_BRIGHTNESS = "set_brightness"
    SET_COLOR = "set_color"
    SET_TEMPERATURE = "set_temperature"
    OPEN = "open"
    CLOSE = "close"
    LOCK = "lock"
    UNLOCK = "unlock"
    BREW = "brew"
    PLAY = "play"
    STOP = "stop"
    SET_ALARM = "set_alarm"
    CANCEL_ALARM = "cancel_alarm"
    START_TIMER = "start_timer"
    CANCEL_TIMER = "cancel_timer"


class Refusal(enum.Enum):
    """Why a directive was refused."""

    NO_SUCH_DEVICE = "no_such_device"
    UNSUPPORTED = "unsupported"
    INVALID_VALUE = "invalid_value"
    DEVICE_OFF = "device_off"


class DirectiveParseError(ValueError):
    """A directive's text could not be read."""


# Verbs that take a value, and whether it is required.
_VALUE = {
    DirectiveVerb.SET_BRIGHTNESS: True, DirectiveVerb.SET_COLOR: True,
    DirectiveVerb.SET_TEMPERATURE: True, DirectiveVerb.PLAY: True,
    DirectiveVerb.SET_ALARM: True, DirectiveVerb.START_TIMER: True,
    DirectiveVerb.CANCEL_ALARM: False,
}
_NUMERIC = {DirectiveVerb.SET_BRIGHTNESS, DirectiveVerb.SET_TEMPERATURE, DirectiveVerb.START_TIMER}


@dataclass(frozen=True)
class Directive:
    """A request to change one device."""

    verb: DirectiveVerb
    device_id: str
    value: Any = None

    def __str__(self) -> str:
        value = "" if self.value is None else f" {_format_value(self.value)}"
        return f"{self.verb.value} {self.device_id}{value}"

    @classmethod
    def parse(cls, text: str) -> "Directive":
        """Read "verb device [value...]"; raise DirectiveParseError if malformed."""
        parts = str(text).strip().split(" ", 2)
        if len(parts) < 2 or not parts[1]:
            raise DirectiveParseError(f"directive {text!r}: expected 'VERB DEVICE [VALUE]'")
        try:
            verb = DirectiveVerb(parts[0])
        except ValueError:
            known = ", ".join(v.value for v in DirectiveVerb)
            raise DirectiveParseError(f"directive {text!r}: unknown verb {parts[0]!r} (known: {known})") from None
        raw = parts[2].strip() if len(parts) == 3 else None
        needs = _VALUE.get(verb)
        if needs is None and raw:
            raise DirectiveParseError(f"directive {text!r}: {verb.value} takes no value")
        if needs and not raw:
            raise DirectiveParseError(f"directive {text!r}: {verb.value} needs a value")
        value: Any = raw or None
        if raw and verb in _NUMERIC:
            try:
                number = float(raw)
            except ValueError:
                raise DirectiveParseError(f"directive {text!r}: {raw!r} is not a number") from None
            value = int(number) if number.is_integer() else number
        return cls(verb, parts[1], value)


def _format_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class DirectiveResult:
    """What happened to a directive: applied (ok) or refused with a reason; never half-applied."""

    ok: bool
    directive: Directive | None
    refusal: Refusal | None = None
    message: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False

    @classmethod
    def refused(cls, directive: Directive | None, refusal: Refusal, message: str) -> "DirectiveResult":
        return cls(False, directive, refusal, message)
