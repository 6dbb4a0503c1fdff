"""Failure-point isolation: for a defective turn, the first pipeline stage that failed
irrecoverably (false_wake, asr, nlu, entity_resolution, result), or ``correct`` when the
turn was in fact fine.

A scikit-learn model (DictVectorizer + gradient boosting) trained on simulator-labelled logs,
saved in the data folder with a small JSON of the feature and scikit-learn versions. Without
a usable model, `rules` answers and the caller says why.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from assistant.analytics import turns as tk
from assistant.analytics.features import FEATURE_VERSION, NEEDS_ENTITY, TurnContext

MODEL_FILE = "failure_point.joblib"
META_FILE = "failure_point.json"
FALSE_WAKE_ASR = 0.6    # ASR this unsure of a lone request: probably nobody spoke to the device
SUSPECT_ASR = 0.85      # a failed turn heard this unsurely: the words were probably damaged
LOW_NLU = 0.6
# Action problems and refusals that mean the request's target or value was not resolved.
ENTITY_PROBLEMS = frozenset({"NO_SUCH_DEVICE", "AMBIGUOUS", "NO_TARGET", "NOT_FOUND", "UNKNOWN_CITY"})


class ModelUnavailable(RuntimeError):
    """No model, or one this code cannot use; the message says which and why."""


def rules(ctx: TurnContext, feats: dict[str, Any]) -> str:
    """Hand-written failure point of a turn (the fallback when there is no model)."""
    t = ctx.turn
    asr = t.asr_confidence if t.asr_confidence is not None else 1.0
    lone = len(ctx.goal.goal.requests) <= 1 and not ctx.same_goal_next
    if asr < FALSE_WAKE_ASR and lone and not ctx.goal.goal.is_answer(t):
        return "false_wake"          # nobody retries a request nobody made
    if not ctx.verdict.defect:
        return "correct"
    intent = t.intent or ""
    if asr < SUSPECT_ASR or feats.get("oov_rate", 0.0) >= 0.25:
        return "asr"
    problems = set(tk.problems(t)) | set(tk.refusal_reasons(t))
    if problems & ENTITY_PROBLEMS or (intent in NEEDS_ENTITY and feats.get("missing_entity")):
        return "entity_resolution"
    if tk.is_fallback(t) or (t.confidence is not None and t.confidence < LOW_NLU):
        return "nlu"
    requests = ctx.goal.goal.requests
    later = requests[requests.index(t) + 1:] if t in requests else []
    if later and later[0].intent != t.intent and (later[0].confidence or 0.0) >= 0.8:
        return "nlu"
    return "result"


@dataclass
class ModelInfo:
    """What the JSON beside the model says."""

    feature_version: int
    sklearn_version: str
    classes: list[str]
    trained_at: str
    n_train: int
    source: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class FailurePointModel:
    """A fitted pipeline with its metadata."""

    def __init__(self, pipeline: Any, info: ModelInfo) -> None:
        self.pipeline = pipeline
        self.info = info

    @classmethod
    def train(cls, rows: Sequence[dict[str, Any]], labels: Sequence[str], *, seed: int = 0,
              source: str = "") -> "FailurePointModel":
        """Fit on feature dicts and their true failure points."""
        import sklearn
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.pipeline import Pipeline

        if len(set(labels)) < 2:
            raise ValueError("training needs at least two failure-point classes in the log "
                             f"(found {sorted(set(labels)) or 'none'})")
        pipeline = Pipeline([
            ("vectorize", DictVectorizer(sparse=False)),
            ("classify", GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1,
                                                    subsample=0.9, random_state=seed)),
        ])
        pipeline.fit(list(rows), list(labels), classify__sample_weight=_balanced(labels))
        info = ModelInfo(FEATURE_VERSION, sklearn.__version__, [str(c) for c in pipeline.classes_],
                         dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), len(labels), source)
        return cls(pipeline, info)

    def predict(self, rows: Sequence[dict[str, Any]]) -> list[str]:
        if not rows:
            return []
        return [str(p) for p in self.pipeline.predict(list(rows))]

    def save(self, folder: Path) -> Path:
        import joblib

        folder.mkdir(parents=True, exist_ok=True)
        target = folder / MODEL_FILE
        partial = folder / (MODEL_FILE + ".tmp")
        joblib.dump(self.pipeline, partial)
        partial.replace(target)
        (folder / META_FILE).write_text(json.dumps(self.info.to_json(), indent=2) + "\n")
        return target

    @classmethod
    def load(cls, folder: Path) -> "FailurePointModel":
        """The saved model, or `ModelUnavailable` saying what is wrong."""
        import sklearn

        model_path, meta_path = folder / MODEL_FILE, folder / META_FILE
        if not model_path.exists() or not meta_path.exists():
            raise ModelUnavailable(f"no failure-point model in {folder} (train one with `assistant analyze --train` "
                                   "on a simulator log)")
        try:
            info = ModelInfo(**json.loads(meta_path.read_text()))
        except (OSError, ValueError, TypeError) as error:
            raise ModelUnavailable(f"unreadable model description {meta_path}: {error}") from error
        if info.feature_version != FEATURE_VERSION:
            raise ModelUnavailable(f"the failure-point model in {folder} uses features version "
                                   f"{info.feature_version}, this code uses {FEATURE_VERSION}; retrain it")
        if info.sklearn_version != sklearn.__version__:
            raise ModelUnavailable(f"the failure-point model in {folder} was saved by scikit-learn "
                                   f"{info.sklearn_version}, this is {sklearn.__version__}; retrain it")
        import joblib

        try:
            pipeline = joblib.load(model_path)
        except Exception as error:  # noqa: BLE001 - any unpickling problem means: unusable
            raise ModelUnavailable(f"could not load {model_path}: {type(error).__name__}: {error}") from error
        return cls(pipeline, info)


def _balanced(labels: Sequence[str]) -> Any:
    """Sample weights that soften class imbalance (inverse square root of class frequency)."""
    import numpy as np

    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    weights = np.array([1.0 / (counts[label] ** 0.5) for label in labels])
    return weights * (len(labels) / weights.sum())
