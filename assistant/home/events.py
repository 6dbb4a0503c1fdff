"""Things that happen in the home by themselves as time passes (an alarm rings, the oven is hot)."""

from __future__ import annotations

import copy
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class EventKind(enum.Enum):
    """Kinds of home events."""

    ALARM_RANG = "alarm_rang"
    TIMER_DONE = "timer_done"
    OVEN_PREHEATED = "oven_preheated"


_TEXT = {
    EventKind.ALARM_RANG: "alarm rang",
    EventKind.TIMER_DONE: "timer finished",
    EventKind.OVEN_PREHEATED: "reached its temperature",
}


@dataclass(frozen=True)
class Event:
    """One event, at one moment, on one device.

    Attributes:
        at: when it happened (simulated time).
        kind: what happened.
        device_id: the device it happened on.
        detail: JSON-safe particulars (the alarm's time, the timer, the temperature).
    """

    at: dt.datetime
    kind: EventKind
    device_id: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"at": self.at.isoformat(timespec="seconds"), "kind": self.kind.value,
                "device_id": self.device_id, "detail": copy.deepcopy(self.detail)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Rebuild an event from ``to_dict``."""
        return cls(dt.datetime.fromisoformat(data["at"]), EventKind(data["kind"]),
                   data["device_id"], copy.deepcopy(data.get("detail", {})))

    def describe(self) -> str:
        """One line for people: ``"07:00 bedroom_alarm_clock: alarm rang (07:00)"``."""
        extra = ""
        if self.kind is EventKind.ALARM_RANG and self.detail.get("time"):
            extra = f" ({self.detail['time']})"
        elif self.kind is EventKind.TIMER_DONE and self.detail.get("label"):
            extra = f" ({self.detail['label']})"
        elif self.kind is EventKind.OVEN_PREHEATED and self.detail.get("temperature") is not None:
            extra = f" ({self.detail['temperature']} degrees)"
        return f"{self.at:%H:%M} {self.device_id}: {_TEXT[self.kind]}{extra}"
