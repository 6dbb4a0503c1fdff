"""Hand-made interaction-log rows for the habits tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assistant.learning.log import TurnRecord

START = dt.datetime(2026, 3, 2, 7, 0)


def turn(user: str, when: dt.datetime, text: str, *, intent: str = "play_media", directives: tuple[str, ...] = (),
         reply: str = "", room: str = "kitchen", time_of_day: str = "morning",
         events: tuple[dict[str, Any], ...] = (), feedback: dict[str, Any] | None = None,
         refused: tuple[list[str], ...] = ()) -> TurnRecord:
    return TurnRecord(user_id=user, device_id=f"{room}_speaker", session_id=user, timestamp=when, text=text,
                      intent=intent, reply=reply, directives=list(directives), refused=list(refused),
                      context={"room": room, "time_of_day": time_of_day, "recent_events": list(events)},
                      feedback=feedback or {})


def played(user: str, when: dt.datetime, item: str, text: str | None = None, **extra: Any) -> TurnRecord:
    return turn(user, when, text or f"play some {item.lower()}", directives=(f"play kitchen_speaker {item}|music",),
                reply=f"Playing {item}.", **extra)


def alarm(at: dt.datetime) -> dict[str, Any]:
    return {"at": at.isoformat(timespec="seconds"), "kind": "alarm_rang", "device_id": "bedroom_alarm_clock",
            "detail": {"time": at.strftime("%H:%M")}}


class FakeLog:
    """The part of InteractionLog that inference reads."""

    def __init__(self, rows: list[TurnRecord]) -> None:
        self.rows = rows

    def turns(self, *, user_id: str | None = None, since_id: int = 0):
        return iter([r for r in self.rows if user_id is None or r.user_id == user_id])
