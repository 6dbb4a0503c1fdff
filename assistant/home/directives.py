"""Directives: the text commands that change devices ("set_temperature oven 180"), and their results."""

from __future__ import annotations

import enum
import math
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
    """Why a directive or manual state change was refused.

    ``ALREADY`` is never a refusal: a no-op is reported as ``ok=True, unchanged=True``;
    the member exists so that callers can name that outcome.
    """

    NO_SUCH_DEVICE = "no_such_device"
    UNSUPPORTED = "unsupported"
    INVALID_VALUE = "invalid_value"
    DEVICE_OFF = "device_off"
    ALREADY = "already"


class DirectiveParseError(ValueError):
    """A directive's text could not be read."""


class RefusedError(ValueError):
    """Raised inside the home's checks; the home turns it into a refused ``DirectiveResult``."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message


class _Arity(enum.Enum):
    NONE = "none"
    OPTIONAL = "optional"
    TEXT = "text"
    NUMBER = "number"


_ARITY: dict[DirectiveVerb, _Arity] = {
    DirectiveVerb.SET_BRIGHTNESS: _Arity.NUMBER,
    DirectiveVerb.SET_TEMPERATURE: _Arity.NUMBER,
    DirectiveVerb.START_TIMER: _Arity.NUMBER,
    DirectiveVerb.SET_COLOR: _Arity.TEXT,
    DirectiveVerb.PLAY: _Arity.TEXT,
    DirectiveVerb.SET_ALARM: _Arity.TEXT,
    DirectiveVerb.CANCEL_ALARM: _Arity.OPTIONAL,
}


def takes_number(verb: DirectiveVerb) -> bool:
    """Whether the verb's value is a number."""
    return _ARITY.get(verb) is _Arity.NUMBER


def to_number(value: Any) -> int | float | None:
    """A finite number from a number or numeric text (integral -> int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class Directive:
    """A request to change one device: ``VERB DEVICE_ID [VALUE]``.

    Attributes:
        verb: what to do.
        device_id: the device's id (one word).
        value: the verb's argument (a number, a colour, "TITLE|FORMAT", "HH:MM"), or None.
    """

    verb: DirectiveVerb
    device_id: str
    value: Any = None

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.verb.value} {self.device_id}"
        return f"{self.verb.value} {self.device_id} {_format_value(self.value)}"

    @classmethod
    def parse(cls, text: str) -> Directive:
        """Read ``"VERB DEVICE_ID [VALUE...]"``; the value is the rest of the line.

        Raises:
            DirectiveParseError: unknown verb, missing device, a value missing, extra or not a number.
        """
        parts = str(text).split(maxsplit=2)
        if len(parts) < 2:
            raise DirectiveParseError(f"directive {text!r}: expected 'VERB DEVICE_ID [VALUE]'")
        try:
            verb = DirectiveVerb(parts[0].lower())
        except ValueError:
            known = ", ".join(v.value for v in DirectiveVerb)
            raise DirectiveParseError(
                f"directive {text!r}: unknown verb {parts[0]!r} (known: {known})") from None
        raw = " ".join(parts[2].split()) if len(parts) == 3 else None
        arity = _ARITY.get(verb, _Arity.NONE)
        if arity is _Arity.NONE and raw is not None:
            raise DirectiveParseError(f"directive {text!r}: {verb.value} takes no value")
        if arity in (_Arity.TEXT, _Arity.NUMBER) and raw is None:
            raise DirectiveParseError(f"directive {text!r}: {verb.value} needs a value")
        value: Any = raw
        if raw is not None and arity is _Arity.NUMBER:
            value = to_number(raw)
            if value is None:
                raise DirectiveParseError(f"directive {text!r}: {raw!r} is not a number")
        return cls(verb, parts[1], value)


def _format_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class DirectiveResult:
    """What became of a directive (or a manual state change): applied, or refused; never half-applied.

    Attributes:
        ok: whether it was (or, for a dry run, would be) applied.
        directive: the directive; None for a manual ``set_state``.
        refusal: why it was refused; None when ok.
        message: a short human sentence.
        changes: the state keys that changed, with their new values.
        unchanged: ok, but nothing needed to change (the light was already on).
    """

    ok: bool
    directive: Directive | None
    refusal: Refusal | None = None
    message: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False

    @classmethod
    def refused(cls, directive: Directive | None, refusal: Refusal, message: str) -> DirectiveResult:
        """A refusal with its reason and message."""
        return cls(False, directive, refusal, message)
