"""Hand-made turns for the analytics tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assistant.learning.log import TurnRecord

T0 = dt.datetime(2026, 1, 5, 8, 0, 0)


def turn(seconds: float, text: str, intent: str | None, *, confidence: float = 0.95, session: str = "s1",
         user: str = "alice", entities: dict[str, str] | None = None, feedback: dict[str, Any] | None = None,
         truth: dict[str, Any] | None = None, turn_id: int | None = None, **extra: Any) -> TurnRecord:
    record = TurnRecord(
        user_id=user, device_id="kitchen_speaker", session_id=session,
        timestamp=T0 + dt.timedelta(seconds=seconds), text=text, intent=intent, confidence=confidence,
        entities=[{"entity": k, "value": v} for k, v in (entities or {}).items()],
        feedback=feedback or {}, truth=truth, **extra)
    record.id = turn_id
    return record


def numbered(*records: TurnRecord) -> list[TurnRecord]:
    """Give the records ids in order (as the log would)."""
    for i, record in enumerate(records, start=1):
        record.id = i
    return list(records)
