"""Feedback signals that a turn leaves on the turn before it: the user barged in, repeated
or rephrased the request, complained, or answered "Did I answer your question?"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.learning.log import Feedback
from assistant.learning.outcome import is_request, system_failed
from assistant.similarity import PairSimilarity, minilm_similarity
from assistant.text import jaccard

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord

# The similarity the runtime passes (`assistant.similarity`; kept importable from here).
__all__ = ["FollowUpThresholds", "follow_up", "minilm_similarity"]
CHECK_ACTION = "action_check_answer"


@dataclass(frozen=True)
class FollowUpThresholds:
    window_seconds: float = 120.0
    repeat_overlap: float = 0.8      # token overlap: the same request again
    repeat_cosine: float = 0.9
    rephrase_cosine: float = 0.55    # similar meaning in other words
    rephrase_after_failure: float = 0.45  # ... when the assistant visibly failed the first time
    rephrase_overlap: float = 0.5
    distinct_confidence: float = 0.9  # both this sure of different intents: a new request


def follow_up(previous: "TurnRecord", current: "TurnRecord", similarity: PairSimilarity,
              thresholds: FollowUpThresholds = FollowUpThresholds()) -> dict[str, Any]:
    """The signals ``current`` gives about ``previous`` (the same user's turn before it)."""
    signals: dict[str, Any] = {}
    if current.barge_in:
        signals[Feedback.BARGE_IN] = True
    if current.intent == "complain":
        signals[Feedback.DISSATISFACTION] = True
    if CHECK_ACTION in previous.actions and current.intent in ("affirm", "deny"):
        signals[Feedback.EXPLICIT] = "yes" if current.intent == "affirm" else "no"
    gap = (current.timestamp - previous.timestamp).total_seconds()
    if not (is_request(previous) and is_request(current)) or not 0 <= gap <= thresholds.window_seconds:
        return signals
    sure = thresholds.distinct_confidence
    if (previous.intent != current.intent and (previous.confidence or 0) >= sure
            and (current.confidence or 0) >= sure):
        return signals
    overlap = jaccard(previous.text, current.text)
    if overlap >= thresholds.repeat_overlap:
        signals[Feedback.REPEAT] = True
        return signals
    [cosine] = similarity([(previous.text, current.text)])
    bar = thresholds.rephrase_after_failure if system_failed(previous) else thresholds.rephrase_cosine
    if cosine >= thresholds.repeat_cosine:
        signals[Feedback.REPEAT] = True
    elif cosine >= bar or overlap >= thresholds.rephrase_overlap:
        signals[Feedback.REPHRASE] = True
    return signals
