"""Whether a logged turn worked, from implicit signals only: the rule the index, the rewrite
win/loss record and mining share."""

from __future__ import annotations

from assistant.learning.log import TurnRecord
from assistant.teachable.signals import NOT_REQUESTS

FAILED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
FAILED_ACTIONS = frozenset({"action_default_fallback", "utter_default", "utter_out_of_scope"})


def is_request(turn: TurnRecord) -> bool:
    """A request to the assistant (not an answer, a greeting or a complaint)."""
    return turn.intent not in NOT_REQUESTS or turn.intent in FAILED_INTENTS


def system_failed(turn: TurnRecord) -> bool:
    """The assistant itself knew it failed: a fallback, a refused directive, or an action that
    reported a problem (nothing found, no such device, unknown city)."""
    return (turn.intent in FAILED_INTENTS or bool(set(turn.actions) & FAILED_ACTIONS)
            or bool(turn.refused) or bool(turn.problems))


def succeeded(turn: TurnRecord) -> bool:
    """No failure the system saw, and nothing the user did afterwards says it failed."""
    return not system_failed(turn) and not turn.defect_signalled
