"""What the analytics need to know about a logged turn: its kind (request or answer), its
signals, and the truth the simulator wrote (when there is one). Tolerant of missing fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.learning.log import Feedback, TurnRecord
from assistant.outcomes import FAILURE_POINTS, FailurePoint, Problem

# Turns that answer or react to the previous request rather than ask for something new.
ANSWERS = frozenset({"affirm", "deny", "complain", "thank", "stop"})
# Turns that answer the assistant's question when it asked one ("Which team do you follow?"),
# and are requests of their own otherwise ("I'm a Warriors fan").
ANSWERS_TO_QUESTIONS = frozenset({"state_preference", "inform_place", "teach_correction"})
# An exploration question answered without choosing a reading (assistant.exploration).
EXPLORE_NOT_CHOSEN = frozenset({"neither", "unclear"})
OFFER_ACTION = "action_offer_teaching"
CHECK_ACTION = "action_check_answer"     # "Did I answer your question?"
# Turns that open or close a conversation: a goal of their own when nothing is open.
SOCIAL = frozenset({"greet", "goodbye", "help"})
OUT_OF_SCOPE = "out_of_scope"
FALLBACK_INTENTS = frozenset({"nlu_fallback", OUT_OF_SCOPE})
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_default", "action_two_stage_fallback",
                              "utter_ask_rephrase", "utter_out_of_scope"})
# Refusals that are not failures (a no-op the user asked for).
HARMLESS_REFUSALS = frozenset({Problem.ALREADY.value})

__all__ = ["FAILURE_POINTS"]   # re-exported: the report and the evaluation read it from here


def is_answer(turn: TurnRecord, previous: TurnRecord | None = None) -> bool:
    """Whether the turn answers the open goal (yes, no, "that's wrong", thanks, or the answer
    to a question the previous reply asked: an offer to learn, "Did I answer your question?",
    an exploration question answered "neither")."""
    intent = turn.intent or ""
    if intent in ANSWERS or explore_choice(turn) in EXPLORE_NOT_CHOSEN:
        return True
    if previous is None or not asked_user(previous):
        return False
    # What follows a question is its answer when it reads as one, or as nothing the assistant
    # knows ("that is of no importance for me", "american"): not a new goal.
    return intent in ANSWERS_TO_QUESTIONS or intent in FALLBACK_INTENTS or intent == "help"


def asked_user(turn: TurnRecord) -> bool:
    """The turn's reply asked the user something: a question, an offer to learn, an exploration
    question ("Should I A, or B?"). "Could you say it another way?" after a fallback asks for
    the request again, not for an answer."""
    if is_fallback(turn):
        return False
    return "?" in (turn.reply or "") or bool(getattr(turn, "explore_asked", None)) \
        or OFFER_ACTION in (turn.actions or [])


def explore_choice(turn: TurnRecord) -> str | None:
    """What the turn chose when it answered an exploration question (an intent, "neither",
    "unclear"); None on other turns and on rows logged before exploration."""
    value = getattr(turn, "explore_choice", None)
    return str(value) if value else None


def chose_reading(turn: TurnRecord) -> bool:
    """The turn answered an exploration question by choosing one reading (it ran that intent)."""
    choice = explore_choice(turn)
    return choice is not None and choice not in EXPLORE_NOT_CHOSEN


def seconds(turn: TurnRecord) -> float:
    """The turn's time as POSIX seconds (0 for a missing or odd timestamp)."""
    stamp = turn.timestamp
    if isinstance(stamp, dt.datetime):
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.timezone.utc)
        return stamp.timestamp()
    if isinstance(stamp, str):
        try:
            return seconds_of(dt.datetime.fromisoformat(stamp))
        except ValueError:
            return 0.0
    return 0.0


def seconds_of(stamp: dt.datetime) -> float:
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.timestamp()


def feedback(turn: TurnRecord) -> dict[str, Any]:
    return turn.feedback if isinstance(turn.feedback, dict) else {}


def explicit(turn: TurnRecord) -> str | None:
    value = feedback(turn).get(Feedback.EXPLICIT)
    return value if value in ("yes", "no") else None


def refusal_reasons(turn: TurnRecord) -> list[str]:
    """The refusal reasons of the turn's directives (``[directive, reason, message]`` rows)."""
    reasons: list[str] = []
    for row in turn.refused or []:
        if isinstance(row, (list, tuple)) and len(row) >= 2:
            reasons.append(str(row[1]))
        elif isinstance(row, dict) and "reason" in row:
            reasons.append(str(row["reason"]))
        elif isinstance(row, str):
            reasons.append(row)
    return [r for r in reasons if r not in HARMLESS_REFUSALS]


def problems(turn: TurnRecord) -> list[str]:
    """Problems the actions tagged (NO_TARGET, NOT_FOUND, UNKNOWN_CITY...); [] in older logs."""
    return [str(p) for p in (getattr(turn, "problems", None) or []) if p]


_SORRY = re.compile(r"\b(sorry|didn't|did not|don't|can't|cannot|couldn't|no such|not sure|"
                    r"which one|rephrase|understand)\b", re.IGNORECASE)


def reply_apologises(turn: TurnRecord) -> bool:
    """The reply says sorry, can't, don't know, which one... (a failure the user heard)."""
    return bool(_SORRY.search(turn.reply or ""))


def is_fallback(turn: TurnRecord) -> bool:
    return (turn.intent or "") in FALLBACK_INTENTS or any(a in FALLBACK_ACTIONS for a in turn.actions or [])


def refused_as_out_of_scope(turn: TurnRecord) -> bool:
    """The assistant said plainly that the request is outside what it does (not "I didn't
    understand"): the right answer to an out-of-scope request, unless the user tries again."""
    return (turn.intent or "") == OUT_OF_SCOPE and "utter_ask_rephrase" not in (turn.actions or [])


def truth(turn: TurnRecord) -> dict[str, Any] | None:
    return turn.truth if isinstance(turn.truth, dict) and turn.truth else None


def true_failure_point(turn: TurnRecord) -> FailurePoint | None:
    """The simulator's failure point, ``correct`` for a successful turn; None without truth."""
    known = truth(turn)
    if known is None:
        return None
    point = known.get("failure_point")
    if point in FAILURE_POINTS:
        return FailurePoint(point)
    if known.get("success") is False:
        return FailurePoint.RESULT
    return FailurePoint.CORRECT


def entity_values(turn: TurnRecord) -> dict[str, str]:
    values: dict[str, str] = {}
    for entity in turn.entities or []:
        if isinstance(entity, dict) and entity.get("entity"):
            values[str(entity["entity"])] = str(entity.get("value", "")).lower()
    return values
