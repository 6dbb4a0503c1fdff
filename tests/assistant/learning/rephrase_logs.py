"""Hand-made interaction logs for the rephrase, mining and command tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from assistant.learning.log import TurnRecord

START = dt.datetime(2026, 1, 5, 8, 0, 0)
_ids = itertools.count(1)


def turn(user: str, text: str, *, at: float, session: str | None = None, intent: str | None = "play_music",
         confidence: float | None = 0.9, feedback: dict[str, Any] | None = None, id: int | None = None,
         truth: dict[str, Any] | None = None, **fields: Any) -> TurnRecord:
    """A turn ``at`` seconds after START; ``id`` set as a stored turn would have it."""
    return TurnRecord(user_id=user, device_id="kitchen_speaker", session_id=session or f"{user}-s1",
                      timestamp=START + dt.timedelta(seconds=at), text=text, intent=intent,
                      confidence=confidence, feedback=feedback or {}, truth=truth,
                      id=id if id is not None else next(_ids), **fields)


def failed_then_fixed(user: str, wrong: str, right: str, *, at: float, session: str | None = None,
                      gap: float = 8.0) -> list[TurnRecord]:
    """The user says ``wrong``, it fails (they rephrase), then ``right`` works."""
    session = session or f"{user}-{at:g}"
    return [turn(user, wrong, at=at, session=session, intent="nlu_fallback", confidence=0.3,
                 feedback={"rephrase": True}),
            turn(user, right, at=at + gap, session=session)]
