"""From log records to accepted labels: analytics (goals, verdicts, failure points), the
candidates, their features, the label model's scores, the thresholds.

Without a usable label model the rules answer: a self-label needs confident NLU and ASR, a
correction a failed turn alike its source, with no other request between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from assistant.learning.log import TurnRecord
from assistant.selflearn import candidates as cd
from assistant.selflearn import features as ft

if TYPE_CHECKING:
    from assistant.analytics.failure_point import FailurePointModel
    from assistant.analytics.pipeline import Analysis
    from assistant.selflearn.model import LabelModel

PairSimilarity = Callable[[Sequence[tuple[str, str]]], list[float]]
# A self-label only repeats what NLU already said: silence after an answer NLU was unsure of is
# weak evidence, and exactly what a user who accepts wrong answers (label poisoning) produces.
SELF_MIN_NLU_CONFIDENCE = 0.5


@dataclass
class Proposal:
    """The candidates of a log with their features (before any scoring)."""

    analysis: "Analysis"
    candidates: list[cd.Candidate]
    rows: list[dict[str, Any]]


@dataclass
class Scored:
    """Every candidate's score and the labels accepted from them."""

    proposal: Proposal
    scores: list[float]
    labels: list[cd.Label]
    method: str                          # "model" or "rules"
    thresholds: dict[str, float] = field(default_factory=dict)
    note: str | None = None


def propose(records: Sequence[TurnRecord], *, similarity: PairSimilarity | None = None,
            failure_points: "FailurePointModel | None" = None,
            intents: frozenset[str] | None = None) -> Proposal:
    """Candidates and feature rows of the records (``similarity`` segments goals and compares
    each failed turn with its source; token overlap when None)."""
    from assistant.analytics.pipeline import analyze
    from assistant.similarity import token_similarity

    pair_similarity = similarity or token_similarity
    analysis = analyze(list(records), similarity=pair_similarity, model=failure_points)
    found = cd.build(analysis, intents)
    pairs = [(c.text, c.source.text) for c in found if c.kind is cd.LabelKind.CORRECTION]
    sims = iter(pair_similarity(pairs) if pairs and similarity is not None else [])
    per = [next(sims, None) if c.kind is cd.LabelKind.CORRECTION and similarity is not None else None
           for c in found]
    return Proposal(analysis, found, ft.rows(found, per))


def rule_score(candidate: cd.Candidate, row: dict[str, Any]) -> float:
    """The rules' verdict (1.0 accept, 0.0 reject) when no label model is available."""
    turn = candidate.turn
    if candidate.kind is cd.LabelKind.SELF:
        return float((turn.confidence or 0.0) >= 0.9 and (turn.asr_confidence or 1.0) >= 0.8
                     and candidate.point == "correct")
    return float(candidate.between == 0 and candidate.point in ("asr", "nlu")
                 and row.get("pair_similarity", 0.0) >= 0.5)


def score(proposal: Proposal, model: "LabelModel | None", *, note: str | None = None,
          min_confidence: float | None = None) -> Scored:
    """Score every candidate and accept those at or above their kind's threshold (and at or
    above ``min_confidence`` when given)."""
    if model is not None:
        scores = model.scores(proposal.rows)
        thresholds = {k: model.threshold(k) for k in ("correction", "self")}
        method = "model"
    else:
        scores = [rule_score(c, r) for c, r in zip(proposal.candidates, proposal.rows)]
        thresholds = {"correction": 0.5, "self": 0.5}
        method = "rules"
    # The user's own answer to "A, or B?" is the label, whatever the label model makes of it.
    scores = [cd.EXPLORATION_CONFIDENCE if c.kind is cd.LabelKind.EXPLORATION else s
              for c, s in zip(proposal.candidates, scores)]
    thresholds[cd.LabelKind.EXPLORATION.value] = cd.EXPLORATION_CONFIDENCE
    if min_confidence is not None:
        thresholds = {k: max(v, min_confidence) for k, v in thresholds.items()}
    labels = [cd.accept(c, s) for c, s in zip(proposal.candidates, scores)
              if s >= thresholds[c.kind.value] and not _unsure_self(c)]
    return Scored(proposal, scores, _one_per_turn(labels), method, thresholds, note)


def _unsure_self(candidate: cd.Candidate) -> bool:
    return candidate.kind is cd.LabelKind.SELF and (candidate.turn.confidence or 0.0) < SELF_MIN_NLU_CONFIDENCE


def _one_per_turn(labels: Sequence[cd.Label]) -> list[cd.Label]:
    """A turn labelled twice (a self-label and a correction) keeps its most confident label; the
    user's answer to an exploration question beats the others."""
    best: dict[int, cd.Label] = {}

    def rank(label: cd.Label) -> tuple[bool, float]:
        return label.kind is cd.LabelKind.EXPLORATION, label.confidence

    for label in labels:
        if label.turn_id not in best or rank(label) > rank(best[label.turn_id]):
            best[label.turn_id] = label
    return sorted(best.values(), key=lambda lb: lb.turn_id)
