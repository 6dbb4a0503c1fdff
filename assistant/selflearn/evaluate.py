"""Precision, recall and yield of a set of labels against the simulator's truth, and how many
labels the adversaries got accepted that disagree with it."""

from __future__ import annotations

from typing import Any, Collection, Sequence

from assistant.learning.log import TurnRecord
from assistant.selflearn import truth as tr
from assistant.selflearn.candidates import Label, domain_intents


def score(labels: Sequence[Label], records: Sequence[TurnRecord], days: int,
          intents: frozenset[str] | None = None) -> dict[str, Any]:
    """Figures overall and per kind (correction, self): accepted, correct, precision, recall
    (correct labels over the turns a right label could come from), labels per day."""
    intents = domain_intents() if intents is None else intents
    by_id = {int(r.id): r for r in records if r.id is not None}
    targets = tr.labelable(records, intents)
    out: dict[str, Any] = {}
    for kind in ("all", "correction", "self"):
        chosen = [lb for lb in labels if kind == "all" or lb.kind.value == kind]
        judged = [(lb, tr.correct(by_id[lb.turn_id], lb.intent)) for lb in chosen if lb.turn_id in by_id]
        right = sum(1 for _, ok in judged if ok)
        known = sum(1 for _, ok in judged if ok is not None)
        wanted = [t for t, k in targets.items() if kind == "all" or k == kind]
        found = {lb.turn_id for lb, ok in judged if ok and lb.turn_id in targets
                 and (kind == "all" or targets[lb.turn_id] == kind)}
        out[kind] = {"accepted": len(chosen), "correct": right,
                     "precision": round(right / known, 4) if known else None,
                     "recall": round(len(found) / len(wanted), 4) if wanted else None,
                     "labelable": len(wanted), "per_day": round(len(chosen) / max(days, 1), 2)}
    return out


def poisoned(labels: Sequence[Label], records: Sequence[TurnRecord], adversaries: Collection[str]) -> dict[str, Any]:
    """Labels accepted from the adversaries' turns, and those of them that disagree with the truth."""
    by_id = {int(r.id): r for r in records if r.id is not None}
    theirs = [lb for lb in labels if lb.user_id in adversaries and lb.turn_id in by_id]
    wrong = [lb for lb in theirs if tr.correct(by_id[lb.turn_id], lb.intent) is False]
    return {"adversaries": len(adversaries), "adversary_labels": len(theirs), "adversary_labels_wrong": len(wrong),
            "wrong_examples": [{"text": lb.text, "intent": lb.intent, "user": lb.user_id,
                                "true": (tr.truth_of(by_id[lb.turn_id]) or {}).get("goal_intent")}
                               for lb in wrong[:10]]}
