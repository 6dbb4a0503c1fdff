"""The habits layer's open question, as slots of Rasa's tracker (domain/habits.yml).

An action (or an observer, through the turn pipeline) that asks "Can you teach me?", "Shall I
remember that?" or the routine offer sets these slots; the rules of stories/rules/habits.yml
send the next turn's answer to the right action; `lapsed` says when the question is over
(the user said something else, or took longer than `PENDING_MINUTES`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Sequence

PENDING = "habits_pending"            # categorical: a `Waiting` value, or None
PENDING_NAME = "habits_pending_name"  # the concept (or routine) the question is about
PENDING_STEPS = "habits_pending_steps"  # the steps to remember ([{text, intent, entities}])
PENDING_AT = "habits_pending_at"      # when it was asked (epoch seconds of the turn)
LAST_IMPLICIT = "habits_last_implicit"  # [key, value]: the inferred value the last turn used
PENDING_SLOTS = (PENDING, PENDING_NAME, PENDING_STEPS, PENDING_AT)
PENDING_MINUTES = 5.0   # a question not answered within this long (or in a new conversation) lapses

# Intents a taught step may have: they change the home or answer, never the user's data.
STEP_INTENTS = frozenset({
    "turn_on", "turn_off", "set_brightness", "set_color", "set_temperature", "open_device", "close_device",
    "lock_device", "unlock_device", "start_coffee", "play_media", "set_alarm", "cancel_alarm", "set_timer",
    "stop", "ask_weather", "ask_time", "ask_temperature", "ask_device_state", "ask_team_score",
    "find_restaurant",
})
YES_NO = frozenset({"affirm", "deny"})


class Waiting(str, enum.Enum):
    """What the open question waits for."""

    STEPS = "steps"            # "Can you teach me?" asked; the answer is the steps
    CONFIRM = "confirm"        # "Shall I remember that?"
    ROUTINE = "routine"        # the routine offer


def epoch(moment: dt.datetime) -> float:
    """Seconds since the epoch; a naive time is read as UTC (as the pipeline sends it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)
    return aware.timestamp()


def ask(waiting: Waiting, name: str, at: float, steps: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The slot values of an open question."""
    return {PENDING: waiting.value, PENDING_NAME: name, PENDING_STEPS: [dict(s) for s in steps] or None,
            PENDING_AT: float(at)}


def cleared() -> dict[str, Any]:
    """The slot values of no open question."""
    return {slot: None for slot in PENDING_SLOTS}


def waiting(value: Any) -> Waiting | None:
    try:
        return Waiting(value) if value else None
    except ValueError:
        return None


def lapsed(pending: Waiting | None, asked_at: Any, now: float | None, intent: str | None) -> bool:
    """Whether an open question is over at this turn: the message is no answer to it (steps
    for STEPS, a yes or no otherwise), or it came more than `PENDING_MINUTES` later."""
    if pending is None:
        return False
    if now is not None and asked_at is not None:
        elapsed = now - float(asked_at)
        if not 0 <= elapsed <= PENDING_MINUTES * 60:
            return True
    if pending is Waiting.STEPS:
        return intent not in STEP_INTENTS and intent != "deny"
    return intent not in YES_NO
