"""Agreement with the simulator's ground truth (`TurnRecord.truth`, attached by the caller from
the simulator's store beside the log; the log itself has none), when known:
goal success (ours and the single-signal baseline), segmentation boundaries, failure points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from assistant.analytics import turns as tk
from assistant.analytics.goals import GoalVerdict
from assistant.analytics.pipeline import Analysis
from assistant.outcomes import FailurePoint


@dataclass
class Binary:
    """Accuracy and F1 of a yes/no labelling (positive = achieved) and of its negative."""

    n: int
    accuracy: float
    f1: float
    defect_f1: float
    defect_precision: float
    defect_recall: float

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def binary(truth: Sequence[bool], predicted: Sequence[bool]) -> Binary:
    n = len(truth)
    tp = sum(1 for t, p in zip(truth, predicted) if t and p)
    tn = sum(1 for t, p in zip(truth, predicted) if not t and not p)
    fp_ = sum(1 for t, p in zip(truth, predicted) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted) if t and not p)
    return Binary(n, _r((tp + tn) / n if n else 0.0), _r(_f1(tp, fp_, fn)), _r(_f1(tn, fn, fp_)),
                  _r(tn / (tn + fn) if tn + fn else 0.0), _r(tn / (tn + fp_) if tn + fp_ else 0.0))


def _f1(tp: int, fp_: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp_ + fn) if tp else 0.0


def _r(value: float) -> float:
    return round(value, 4)


def goal_truth(goals: Sequence[GoalVerdict]) -> dict[int, bool]:
    """For each predicted goal (by position) the truth: whether the true goal of its last
    request was achieved, when the predicted goal holds that true goal's end; else whether
    its last request succeeded."""
    achieved: dict[str, bool] = {}
    for goal in goals:
        for turn in goal.goal.turns:
            known = tk.truth(turn)
            if known and known.get("goal_id") is not None and known.get("goal_achieved") is not None:
                achieved[str(known["goal_id"])] = bool(known["goal_achieved"])
    out: dict[int, bool] = {}
    for index, goal in enumerate(goals):
        last = tk.truth(goal.goal.last_request)
        if last is None or all((tk.truth(t) or {}).get("false_wake") for t in goal.goal.turns):
            continue          # nobody had a goal: not counted for or against goal success
        ends_here = any((tk.truth(t) or {}).get("goal_achieved") is not None for t in goal.goal.turns)
        gid = last.get("goal_id")
        if ends_here and gid is not None and str(gid) in achieved:
            out[index] = achieved[str(gid)]
        elif last.get("success") is not None:
            out[index] = bool(last["success"])
    return out


def goal_success(analysis: Analysis) -> dict[str, Any] | None:
    truths = goal_truth(analysis.goals)
    if not truths:
        return None
    indices = sorted(truths)
    truth = [truths[i] for i in indices]
    ours = binary(truth, [analysis.goals[i].achieved for i in indices])
    base = binary(truth, [analysis.goals[i].baseline_achieved for i in indices])
    return {"ours": ours.to_json(), "baseline": base.to_json(),
            "true_success_rate": _r(sum(truth) / len(truth))}


def segmentation(analysis: Analysis) -> dict[str, Any] | None:
    """Goal-boundary precision/recall/F1 over consecutive turns of a session."""
    tp = fp_ = fn = 0
    pairs = 0
    by_turn = {id(c.turn): c for c in analysis.contexts}
    for ctx in analysis.contexts:
        prev = ctx.previous
        if prev is None or id(prev) not in by_turn:
            continue
        a, b = tk.truth(prev), tk.truth(ctx.turn)
        if not a or not b or a.get("goal_id") is None or b.get("goal_id") is None:
            continue
        pairs += 1
        true_boundary = a["goal_id"] != b["goal_id"]
        predicted_boundary = not ctx.same_goal_previous
        tp += true_boundary and predicted_boundary
        fp_ += (not true_boundary) and predicted_boundary
        fn += true_boundary and not predicted_boundary
    if not pairs:
        return None
    precision = tp / (tp + fp_) if tp + fp_ else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"pairs": pairs, "boundary_precision": _r(precision), "boundary_recall": _r(recall),
            "boundary_f1": _r(_f1(tp, fp_, fn))}


def failure_points(analysis: Analysis) -> dict[str, Any] | None:
    """Per-class precision/recall/F1 and the confusion matrix (rows: truth, columns: predicted)."""
    truth: list[FailurePoint] = []
    predicted: list[FailurePoint] = []
    for ctx, point in zip(analysis.contexts, analysis.points):
        label = tk.true_failure_point(ctx.turn)
        if label is not None:
            truth.append(label)
            predicted.append(point)
    if not truth:
        return None
    labels = [p for p in FailurePoint if p in set(truth) | set(predicted)]
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if t == label and p == label)
        fp_ = sum(1 for t, p in zip(truth, predicted) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted) if t == label and p != label)
        per_class[label] = {"precision": _r(tp / (tp + fp_) if tp + fp_ else 0.0),
                            "recall": _r(tp / (tp + fn) if tp + fn else 0.0),
                            "f1": _r(_f1(tp, fp_, fn)), "support": sum(1 for t in truth if t == label)}
    matrix = [[sum(1 for t, p in zip(truth, predicted) if t == row and p == col) for col in labels]
              for row in labels]
    failed = [(t, p) for t, p in zip(truth, predicted) if t != FailurePoint.CORRECT]
    flagged = [(t, p) for t, p in zip(truth, predicted) if t != FailurePoint.CORRECT or p != FailurePoint.CORRECT]
    return {
        "labels": labels,
        "per_class": per_class,
        "confusion": matrix,
        "accuracy_on_failed_turns": _r(sum(t == p for t, p in failed) / len(failed)) if failed else None,
        "accuracy_on_flagged_turns": _r(sum(t == p for t, p in flagged) / len(flagged)) if flagged else None,
        "accuracy_all_turns": _r(sum(t == p for t, p in zip(truth, predicted)) / len(truth)),
        "macro_f1_failures": _r(sum(per_class[c]["f1"] for c in labels if c != FailurePoint.CORRECT)
                                / max(1, sum(1 for c in labels if c != FailurePoint.CORRECT))),
        "n": len(truth),
    }
