"""Judging labels against the simulator's truth. Evaluation (and the model's training target on
training seeds) only: nothing that makes a label reads this module.

A request turn's true intent is its goal's intent; "no, that's wrong" is ``complain``; a yes/no
to the check question is ``affirm``/``deny``; an answer to an offer is a statement of taste; a
false wake has no true intent (every label on it is wrong).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from assistant.learning.log import TurnRecord

TRUE_BY_KIND: dict[str, frozenset[str]] = {
    "complaint": frozenset({"complain", "deny"}),
    "confirm": frozenset({"affirm", "deny"}),
    "decline": frozenset({"deny"}),
    "answer": frozenset({"state_preference", "inform_place", "affirm"}),
}


def truth_of(turn: TurnRecord) -> dict[str, Any] | None:
    return turn.truth if isinstance(turn.truth, dict) and turn.truth else None


def correct(turn: TurnRecord, intent: str) -> bool | None:
    """Whether ``intent`` is the turn's true intent; None when the turn has no truth."""
    known = truth_of(turn)
    if known is None:
        return None
    kind = known.get("turn_kind") or "request"
    if known.get("false_wake") or kind == "false_wake":
        return False
    if kind == "request":
        return intent == known.get("goal_intent")
    return intent in TRUE_BY_KIND.get(str(kind), frozenset())


def achieved_goals(records: Iterable[TurnRecord]) -> set[str]:
    """The simulator's goal ids that were achieved."""
    return {str(t["goal_id"]) for r in records if (t := truth_of(r)) and t.get("goal_achieved")}


def labelable(records: Sequence[TurnRecord], intents: frozenset[str]) -> dict[int, str]:
    """Turn id -> "correction" or "self" for every request turn a right label could come from:
    the goal was achieved and its intent is one the domain knows. Recall's denominator."""
    achieved = achieved_goals(records)
    out: dict[int, str] = {}
    for record in records:
        known = truth_of(record)
        if known is None or record.id is None or (known.get("turn_kind") or "request") != "request":
            continue
        if known.get("false_wake") or str(known.get("goal_id")) not in achieved:
            continue
        if known.get("goal_intent") not in intents:
            continue
        out[int(record.id)] = "self" if known.get("success") else "correction"
    return out


def has_truth(records: Iterable[TurnRecord]) -> bool:
    return any(truth_of(r) is not None for r in records)
