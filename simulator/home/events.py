"""Things that happen in the home by themselves (an alarm rings, the oven is hot)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class EventKind(enum.Enum):
    """Kinds of home events."""

    ALARM_RANG = "alarm_rang"
    TIMER_DONE = "timer_done"
    OVEN_PREHEATED = "oven_preheated"
    DEVICE_CHANGED = "device_changed"


@dataclass(frozen=True)
class Event:
    """One event at one moment, on one device."""

    at: dt.datetime
    kind: EventKind
    device_id: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(timespec="minutes"), "kind": self.kind.value,
                "device_id": self.device_id, "detail": dict(self.detail)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Event":
        return cls(dt.datetime.fromisoformat(data["at"]), EventKind(data["kind"]),
                   data["device_id"], dict(data.get("detail", {})))

    def describe(self) -> str:
        text = {
            EventKind.ALARM_RANG: "alarm rang",
            EventKind.TIMER_DONE: "timer finished",
            EventKind.OVEN_PREHEATED: "oven reached temperature",
            EventKind.DEVICE_CHANGED: "changed",
        }[self.kind]
        return f"{self.at:%H:%M} {self.device_id}: {text}"
