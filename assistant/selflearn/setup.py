"""The label model the set-up fits (`assistant train`), so that `assistant learn-nlu` and the
simulator's nightly job use a fitted model on a fresh install instead of the rules.

It is fitted on the same seeded simulated logs as the failure-point model
(`assistant.analytics.training`, seeds 101-112, templates and real phrasing), with the
simulator's truth as the target only, and judged elsewhere on seeds it never saw
(`python -m assistant.selflearn.study evaluate`). Cached by fingerprint (the failure-point
set-up's and this package's code); a label model fitted by hand (`study fit`) is never replaced.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.paths import PROJECT_ROOT, DataDir

logger = logging.getLogger(__name__)

SETUP_ORIGIN = "setup"
Status = Callable[[str], None]


def fingerprint(data: DataDir, root: Path = PROJECT_ROOT) -> str:
    from assistant.analytics import training

    digest = hashlib.sha256(training.fingerprint(data).encode())
    for file in sorted(p for p in (root / "assistant" / "selflearn").rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(root)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def needs_fitting(data: DataDir) -> str | None:
    """Why the set-up must (re)fit the label model, or None (current, or fitted by hand)."""
    from assistant.selflearn.model import META_FILE, MODEL_FOLDER, LabelModel, LabelModelUnavailable

    folder = data.root / MODEL_FOLDER
    try:
        model = LabelModel.load(folder)
    except LabelModelUnavailable as error:
        return "no label model yet" if not (folder / META_FILE).exists() else str(error)
    if model.info.origin != SETUP_ORIGIN:
        return None
    if model.info.fingerprint != fingerprint(data):
        return "the label model's inputs changed"
    return None


def fit_on_logs(data: DataDir, logs: Sequence[Sequence[Any]], failure_points: Any, say: Status) -> None:
    """Fit and save the label model on the set-up's logs; a failure is logged, never raised
    (`learn-nlu` then uses the rules and says so)."""
    from assistant.analytics.similarity import minilm_similarity
    from assistant.analytics.training import SetupPlan
    from assistant.selflearn.model import MODEL_FOLDER, LabelModel
    from assistant.selflearn.pipeline import propose
    from assistant.selflearn.study import training_rows

    if needs_fitting(data) is None:
        return                   # current, or fitted by hand (the user's choice)
    try:
        say("fitting the self-learning label model on the same logs")
        proposals = [propose(log, similarity=minilm_similarity, failure_points=failure_points) for log in logs]
        rows, right, groups = training_rows(proposals)
        seeds = [run.seed for run in SetupPlan().runs]
        if not rows or all(right) or not any(right):
            raise ValueError(f"the logs give {len(rows)} candidates with both right and wrong labels needed")
        model = LabelModel.fit(rows, right, groups, fingerprint=fingerprint(data),
                               source="the analytics set-up's simulated logs (seeds "
                                      f"{min(seeds)}-{max(seeds)})")
        model.info.origin = SETUP_ORIGIN
        model.save(data.root / MODEL_FOLDER)
    except (ValueError, RuntimeError, OSError, LookupError) as error:
        logger.warning("label model not fitted: %s", error)
        say(f"label model not fitted: {error}")


def run_setup(data: DataDir, console: Any) -> int:
    """The set-up's model step: the failure-point model and, on the same logs, the label model."""
    from assistant.analytics.training import run_setup as run_analytics_setup
    from assistant.selflearn.model import MODEL_FOLDER, LabelModel, LabelModelUnavailable

    status = run_analytics_setup(data, console, also=needs_fitting(data),
                                 after_fit=lambda logs, model, say: fit_on_logs(data, logs, model, say))
    try:
        info = LabelModel.load(data.root / MODEL_FOLDER).info
        console.print(f"Label model ({info.origin}): {info.n_rows} candidates from {info.source}; thresholds "
                      + ", ".join(f"{k} {v:.2f}" for k, v in sorted(info.thresholds.items())), soft_wrap=True)
    except LabelModelUnavailable as error:
        console.print(f"[yellow]warning:[/] no label model ({error}); `assistant learn-nlu` will use rules",
                      soft_wrap=True)
    return status
