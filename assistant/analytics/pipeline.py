"""From log records to an `Analysis`: goals, their verdicts, each turn's features and
failure point. The stages are timed so the report can say where the time went."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from assistant.analytics import failure_point as fp
from assistant.analytics.features import TurnContext, add_ranks, contexts, features, vocabulary
from assistant.analytics.goals import GoalVerdict, judge
from assistant.analytics.segment import SegmentConfig, segment
from assistant.learning.log import TurnRecord
from assistant.outcomes import FailurePoint
from assistant.similarity import PairSimilarity, token_similarity

Progress = Callable[[str], None]


@dataclass
class Analysis:
    """Everything the report and the evaluation read."""

    goals: list[GoalVerdict]
    contexts: list[TurnContext]
    rows: list[dict[str, Any]]
    points: list[FailurePoint]         # one per context: a failure point or CORRECT
    method: str                        # "model" or "rules"
    note: str | None = None            # why the rules answered, when they did
    model_info: dict[str, Any] | None = None   # the model's description, when a model answered
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def turns(self) -> int:
        return len(self.contexts)

    def false_wake_goals(self) -> set[int]:
        """Positions of the goals whose every turn is judged a false wake (no user goal)."""
        point = {id(c.turn): p for c, p in zip(self.contexts, self.points)}
        return {i for i, g in enumerate(self.goals)
                if all(point.get(id(t)) == FailurePoint.FALSE_WAKE for t in g.goal.turns)}


def analyze(records: Iterable[TurnRecord], *, similarity: PairSimilarity = token_similarity,
            model: fp.FailurePointModel | None = None, note: str | None = None,
            config: SegmentConfig = SegmentConfig(), progress: Progress | None = None) -> Analysis:
    """Segment, judge and isolate failure points. Without ``model`` the rules answer."""
    say = progress or (lambda _stage: None)
    clock: dict[str, float] = {}
    start = time.perf_counter()
    say("Segmenting goals")
    goals = segment(records, similarity, config)
    clock["segment"] = time.perf_counter() - start
    start = time.perf_counter()
    say("Judging goals")
    verdicts = judge(goals)
    clock["judge"] = time.perf_counter() - start
    start = time.perf_counter()
    say("Extracting features")
    ctxs = contexts(verdicts)
    vocab = vocabulary()
    rows = [features(c, vocab) for c in ctxs]
    add_ranks(rows)
    clock["features"] = time.perf_counter() - start
    start = time.perf_counter()
    say("Isolating failure points")
    if model is not None:
        try:
            points = model.predict(rows)
            method = "model"
        except (ValueError, TypeError, AttributeError, KeyError) as error:   # a model that loads but fails
            note = f"the failure-point model failed on this log ({type(error).__name__}: {error})"
            model = None
    if model is None:
        points = [fp.rules(c, r) for c, r in zip(ctxs, rows)]
        method = "rules"
    clock["failure_point"] = time.perf_counter() - start
    info = model.info.to_json() if model is not None else None
    return Analysis(verdicts, ctxs, rows, points, method, note, info, clock)


def training_set(analysis: Analysis) -> tuple[list[dict[str, Any]], list[FailurePoint]]:
    """Feature rows and true failure points of the turns the simulator labelled."""
    from assistant.analytics.turns import true_failure_point

    rows: list[dict[str, Any]] = []
    labels: list[FailurePoint] = []
    for ctx, row in zip(analysis.contexts, analysis.rows):
        label = true_failure_point(ctx.turn)
        if label is not None:
            rows.append(row)
            labels.append(label)
    return rows, labels


def defect_points(analysis: Analysis) -> Sequence[tuple[TurnContext, FailurePoint]]:
    """The turns judged defective, with their failure point."""
    return [(c, p) for c, p in zip(analysis.contexts, analysis.points) if p != FailurePoint.CORRECT]


def apply_model(analysis: Analysis, model: fp.FailurePointModel) -> None:
    """Replace the failure points with the model's."""
    start = time.perf_counter()
    analysis.points = model.predict(analysis.rows)
    analysis.method = "model"
    analysis.model_info = model.info.to_json()
    analysis.seconds["failure_point"] = time.perf_counter() - start
