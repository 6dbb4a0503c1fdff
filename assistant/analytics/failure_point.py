"""Failure-point isolation: for a defective turn, the first pipeline stage that failed
irrecoverably (false_wake, asr, nlu, entity_resolution, result), or ``correct`` when the
turn was in fact fine.

A scikit-learn model (DictVectorizer + histogram gradient boosting) trained on simulator-labelled logs,
saved in the data folder with a small JSON of the feature and scikit-learn versions. Without
a usable model, `rules` answers and the caller says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from assistant.analytics import turns as tk
from assistant.analytics.features import FEATURE_VERSION, NEEDS_ENTITY, TurnContext
from assistant.outcomes import ENTITY_PROBLEMS, FailurePoint
from assistant.sklearn_io import ModelFiles, SavedModelError

MODEL_FILE = "failure_point.joblib"
# Boosting rounds fitted on the truth. Histogram boosting (200 rounds, leaves of up to 31)
# replaced plain gradient boosting (300 trees of depth 3) when the set-up's truth doubled: on
# 10,058 turns it scored 0.937 against 0.926 on seeds 22+23, and fitted in 69 s, not 367 s.
N_ESTIMATORS = 200
META_FILE = "failure_point.json"
FALSE_WAKE_ASR = 0.6    # ASR this unsure of a lone request: probably nobody spoke to the device
SUSPECT_ASR = 0.85      # a failed turn heard this unsurely: the words were probably damaged
LOW_NLU = 0.6
# Action problems and refusals that mean the request's target or value was not resolved:
# `assistant.outcomes.ENTITY_PROBLEMS` (imported above, kept importable from here).
__all__ = ["ENTITY_PROBLEMS", "FailurePointModel", "ModelInfo", "ModelUnavailable", "rules"]


class ModelUnavailable(SavedModelError):
    """No model, or one this code cannot use; the message says which and why."""


FILES = ModelFiles("failure-point model", MODEL_FILE, META_FILE, ModelUnavailable,
                   how_to_get="train one with `assistant analyze --train` on a simulator log",
                   how_to_fix="retrain it")


def rules(ctx: TurnContext, feats: dict[str, Any]) -> FailurePoint:
    """Hand-written failure point of a turn (the fallback when there is no model)."""
    t = ctx.turn
    asr = t.asr_confidence if t.asr_confidence is not None else 1.0
    lone = len(ctx.goal.goal.requests) <= 1 and not ctx.same_goal_next
    if asr < FALSE_WAKE_ASR and lone and not ctx.goal.goal.is_answer(t):
        return FailurePoint.FALSE_WAKE          # nobody retries a request nobody made
    if not ctx.verdict.defect:
        return FailurePoint.CORRECT
    intent = t.intent or ""
    if asr < SUSPECT_ASR or feats.get("oov_rate", 0.0) >= 0.25:
        return FailurePoint.ASR
    problems = set(tk.problems(t)) | set(tk.refusal_reasons(t))
    if problems & ENTITY_PROBLEMS or (intent in NEEDS_ENTITY and feats.get("missing_entity")):
        return FailurePoint.ENTITY_RESOLUTION
    if tk.is_fallback(t) or (t.confidence is not None and t.confidence < LOW_NLU):
        return FailurePoint.NLU
    requests = ctx.goal.goal.requests
    later = requests[requests.index(t) + 1:] if t in requests else []
    if later and later[0].intent != t.intent and (later[0].confidence or 0.0) >= 0.8:
        return FailurePoint.NLU
    return FailurePoint.RESULT


@dataclass
class ModelInfo:
    """What the JSON beside the model says.

    Attributes:
        source: what it was trained on, in words ("seeded simulator logs, seeds 101-103").
        origin: who trained it: "shipped" (`assistant build-models`, the package's model) or
            "analyze" (`assistant analyze --train`, kept in the data folder and used there).
        fingerprint: the feature code's fingerprint it was built with (`assistant.shipped`).
    """

    feature_version: int
    sklearn_version: str
    classes: list[str]
    trained_at: str
    n_train: int
    source: str
    origin: str = "analyze"
    fingerprint: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Any) -> "ModelInfo":
        """Read the JSON (unknown keys ignored); TypeError/ValueError when it is not one."""
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        info = cls(**known)
        if not isinstance(info.feature_version, int) or not isinstance(info.sklearn_version, str):
            raise ValueError("feature_version or sklearn_version is missing or malformed")
        return info

    def describe(self) -> str:
        """One line: what it was trained on, when, on how much."""
        return (f"trained on {self.source} ({self.n_train} labelled turns) "
                f"at {self.trained_at}, scikit-learn {self.sklearn_version}")


class FailurePointModel:
    """A fitted pipeline with its metadata."""

    def __init__(self, pipeline: Any, info: ModelInfo) -> None:
        self.pipeline = pipeline
        self.info = info

    @classmethod
    def train(cls, rows: Sequence[dict[str, Any]], labels: Sequence[str], *, seed: int = 0,
              source: str = "", n_estimators: int = N_ESTIMATORS, origin: str = "analyze",
              fingerprint: str = "") -> "FailurePointModel":
        """Fit on feature dicts and their true failure points (``n_estimators`` boosting rounds)."""
        import sklearn
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.pipeline import Pipeline

        labels = [str(label) for label in labels]   # plain strings in the pickle, never the enum
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two failure-point classes in the log "
                             f"(found {sorted(set(labels)) or 'none'})")
        vectorizer = DictVectorizer(sparse=False)
        # No early stopping: it would hold out a random tenth of the truth above 10,000 rows.
        classifier = HistGradientBoostingClassifier(max_iter=n_estimators, learning_rate=0.1, early_stopping=False,
                                                    min_samples_leaf=leaf_size(len(rows)), random_state=seed)
        vectorizer.fit(list(rows))
        classifier.fit(vectorizer.transform(list(rows)), list(labels), sample_weight=_balanced(labels))
        pipeline = Pipeline([("vectorize", vectorizer), ("classify", classifier)])
        info = ModelInfo(FEATURE_VERSION, sklearn.__version__, [str(c) for c in classifier.classes_],
                         dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), len(labels), source,
                         origin, fingerprint)
        return cls(pipeline, info)

    def predict(self, rows: Sequence[dict[str, Any]]) -> list[FailurePoint]:
        """The failure point of each feature row (the model's labels are the enum's values)."""
        if not rows:
            return []
        return [FailurePoint(str(p)) for p in self.pipeline.predict(list(rows))]

    def save(self, folder: Path) -> Path:
        return FILES.save(folder, self.pipeline, self.info.to_json())

    @classmethod
    def load(cls, folder: Path) -> "FailurePointModel":
        """The saved model, or `ModelUnavailable` saying what is wrong."""
        pipeline, info = FILES.load(folder, ModelInfo.from_json, FEATURE_VERSION, _is_failure_point_model)
        return cls(pipeline, info)


def _is_failure_point_model(pipeline: Any) -> bool:
    classes = [str(c) for c in getattr(pipeline, "classes_", [])]
    return callable(getattr(pipeline, "predict", None)) and bool(classes) \
        and set(classes) <= set(tk.FAILURE_POINTS)


def leaf_size(n_rows: int) -> int:
    """The fewest turns a leaf may hold: scikit-learn's 20 on the set-up's thousands of turns,
    down to 5 on a small log of a few hundred (where 20 left the model below the rules)."""
    return max(5, min(20, n_rows // 200))


def _balanced(labels: Sequence[str]) -> Any:
    """Sample weights that soften class imbalance (inverse square root of class frequency)."""
    import numpy as np

    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    weights = np.array([1.0 / (counts[label] ** 0.5) for label in labels])
    return weights * (len(labels) / weights.sum())
