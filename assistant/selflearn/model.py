"""The contextual label model: P(label right) for each candidate, from its features.

Gradient boosting over a DictVectorizer (scikit-learn). Fitted on simulator logs, where the
truth is the target only; the acceptance threshold of each kind (correction, self-label) is
the lowest score at which the out-of-fold precision on the training logs (folds by user)
reaches its target (`TARGET_PRECISION`). Saved with joblib beside a JSON description in
``DATA/selflearn/``, reused while its fingerprint matches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from assistant.selflearn.features import FEATURE_VERSION
from assistant.sklearn_io import ModelFiles, SavedModelError

MODEL_FOLDER = "selflearn"
MODEL_FILE = "label_model.joblib"
META_FILE = "label_model.json"
KINDS = ("correction", "self")
DEFAULT_THRESHOLD = 0.9
# Self-labels are plentiful and most are right: only the surest are worth their risk.
TARGET_PRECISION = {"correction": 0.97, "self": 0.99}


class LabelModelUnavailable(SavedModelError):
    """No usable label model (missing, unreadable, or saved by other code)."""


FILES = ModelFiles("label model", MODEL_FILE, META_FILE, LabelModelUnavailable,
                   how_to_get="fit one with `python -m lab.selflearn.study fit`", how_to_fix="fit it again")


@dataclass
class LabelModelInfo:
    feature_version: int
    sklearn_version: str
    trained_at: str
    n_rows: int
    n_positive: int
    thresholds: dict[str, float]
    target_precision: dict[str, float]
    source: str = ""
    fingerprint: str = ""
    seconds: float = 0.0
    oof: dict[str, Any] = field(default_factory=dict)   # out-of-fold figures at the thresholds
    origin: str = "study"     # "setup" (`assistant train`) or "study" (fitted by hand; never replaced)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "LabelModelInfo":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _classifier(seed: int) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, subsample=0.9,
                                      random_state=seed)


def _pipeline(seed: int) -> Any:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.pipeline import Pipeline

    return Pipeline([("vectorize", DictVectorizer(sparse=False)), ("classify", _classifier(seed))])


def threshold_for(scores: Sequence[float], right: Sequence[bool], target: float, min_accepted: int = 5) -> float:
    """The lowest score whose accepted set (score >= it) has precision >= ``target``."""
    pairs = sorted(zip(scores, right), key=lambda p: -p[0])
    best = 1.01
    correct = 0
    for index, (score, ok) in enumerate(pairs, start=1):
        correct += int(ok)
        at_end = index == len(pairs) or pairs[index][0] < score
        if at_end and index >= min_accepted and correct / index >= target:
            best = score
    return float(min(best, 1.01))


class LabelModel:
    """A fitted pipeline, its thresholds and its description."""

    def __init__(self, pipeline: Any, info: LabelModelInfo) -> None:
        self.pipeline = pipeline
        self.info = info

    @classmethod
    def fit(cls, rows: Sequence[dict[str, Any]], right: Sequence[bool], groups: Sequence[str], *,
            target_precision: dict[str, float] | None = None, seed: int = 0, folds: int = 5, source: str = "",
            fingerprint: str = "") -> "LabelModel":
        """Fit on candidate feature rows and whether each label was right (the truth)."""
        import time

        import numpy as np
        import sklearn
        from sklearn.model_selection import GroupKFold

        started = time.perf_counter()
        targets = {**TARGET_PRECISION, **(target_precision or {})}
        y = np.array([bool(r) for r in right])
        if len(set(y.tolist())) < 2:
            raise ValueError("fitting the label model needs both right and wrong labels in the training logs")
        rows = list(rows)
        kinds = [next((k for k in KINDS if r.get("kind=" + k)), "self") for r in rows]
        oof = np.zeros(len(rows))
        n_folds = min(folds, len(set(groups)))
        if n_folds >= 2:
            for train, test in GroupKFold(n_splits=n_folds).split(rows, y, list(groups)):
                if len(set(y[train].tolist())) < 2:
                    oof[test] = y[train].mean()
                    continue
                fold = _pipeline(seed).fit([rows[i] for i in train], y[train])
                oof[test] = fold.predict_proba([rows[i] for i in test])[:, 1]
        thresholds: dict[str, float] = {}
        figures: dict[str, Any] = {}
        for kind in KINDS:
            idx = [i for i, k in enumerate(kinds) if k == kind]
            if not idx or n_folds < 2:
                thresholds[kind] = DEFAULT_THRESHOLD
                continue
            thresholds[kind] = threshold_for(oof[idx].tolist(), y[idx].tolist(), targets[kind])
            accepted = [i for i in idx if oof[i] >= thresholds[kind]]
            figures[kind] = {"candidates": len(idx), "right": int(y[idx].sum()), "accepted": len(accepted),
                             "accepted_right": int(y[accepted].sum()) if accepted else 0}
        pipeline = _pipeline(seed).fit(rows, y)
        info = LabelModelInfo(FEATURE_VERSION, sklearn.__version__,
                              dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), len(rows),
                              int(y.sum()), thresholds, targets, source, fingerprint,
                              round(time.perf_counter() - started, 2), figures)
        return cls(pipeline, info)

    def scores(self, rows: Sequence[dict[str, Any]]) -> list[float]:
        if not rows:
            return []
        return [float(p) for p in self.pipeline.predict_proba(list(rows))[:, 1]]

    def threshold(self, kind: str) -> float:
        return float(self.info.thresholds.get(kind, DEFAULT_THRESHOLD))

    def save(self, folder: Path) -> Path:
        return FILES.save(folder, self.pipeline, self.info.to_json())

    @classmethod
    def load(cls, folder: Path) -> "LabelModel":
        pipeline, info = FILES.load(folder, LabelModelInfo.from_json, FEATURE_VERSION,
                                    lambda pipeline: callable(getattr(pipeline, "predict_proba", None)))
        return cls(pipeline, info)
