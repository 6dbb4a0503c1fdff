"""The small models the product ships as package data: the failure-point model (`assistant
analyze`) and the self-learning label model (`assistant learn-nlu`, the nightly job).

They are built by one lab command from fixed seeds (`assistant build-models`, `lab.shipped`),
the same on every machine, and kept in ``assistant/models/`` with ``shipped.json`` beside them:
the command, the seeds, the scores and a fingerprint of the feature code they were fitted with.
A model someone fitted themselves into the data folder (`assistant analyze --train`,
`python -m lab.selflearn.study fit`) is used instead; an old set-up's model there is not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.paths import DataDir

PACKAGE = Path(__file__).resolve().parent
SHIPPED_DIR = PACKAGE / "models"
META_FILE = "shipped.json"
FAILURE_POINTS = "failure_points"       # sub-folder of SHIPPED_DIR
LABELS = "labels"
# The folders in a data folder where a model fitted by hand is kept.
DATA_FOLDERS = {FAILURE_POINTS: "analytics", LABELS: "selflearn"}
BUILD_COMMAND = "assistant build-models"
# The code a shipped model's features and training target come from: a change here means the
# models must be rebuilt (tests/assistant/test_shipped.py fails until they are).
FEATURE_CODE = (
    "analytics/features.py", "analytics/pipeline.py", "analytics/turns.py", "analytics/segment.py",
    "analytics/goals.py", "analytics/wording.py", "similarity.py", "analytics/failure_point.py",
    "selflearn/features.py", "selflearn/candidates.py", "selflearn/entities.py", "selflearn/pipeline.py",
    "selflearn/model.py", "selflearn/truth.py", "learning/log.py", "learning/feedback.py", "outcomes.py",
)
# Set-up models of earlier versions (fitted by `assistant train` into the data folder) are
# stale by construction: the shipped ones replace them.
STALE_ORIGINS = frozenset({"setup"})


def feature_fingerprint(package: Path = PACKAGE) -> str:
    """A hash of the feature code, by relative path and bytes."""
    digest = hashlib.sha256()
    for name in FEATURE_CODE:
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ShippedInfo:
    """What ``shipped.json`` says (empty when it is missing or unreadable)."""

    fingerprint: str = ""
    command: str = ""
    seeds: tuple[int, ...] = ()
    scores: dict[str, Any] | None = None
    problem: str | None = None

    @classmethod
    def read(cls, folder: Path | None = None) -> "ShippedInfo":
        path = (folder or SHIPPED_DIR) / META_FILE
        try:
            data = json.loads(path.read_text())
            return cls(str(data["fingerprint"]), str(data.get("command", "")),
                       tuple(int(s) for s in data.get("seeds", ())), dict(data.get("scores") or {}))
        except FileNotFoundError:
            return cls(problem=f"{path} is missing")
        except (OSError, ValueError, TypeError, KeyError) as error:
            return cls(problem=f"{path} is unreadable ({type(error).__name__}: {error})")


def stale_reason(folder: Path | None = None) -> str | None:
    """Why the shipped models do not match this code, or None when they do."""
    folder = folder or SHIPPED_DIR
    info = ShippedInfo.read(folder)
    if info.problem:
        return info.problem
    if info.fingerprint != feature_fingerprint():
        return f"the models in {folder} were built from other feature code"
    return None


def hint() -> str:
    return f"run `{BUILD_COMMAND}` to rebuild them"


def folder_for(kind: str, data: DataDir | None) -> Path:
    """Where the model of ``kind`` (FAILURE_POINTS or LABELS) is read from: the data folder's
    own model when one was fitted there by hand (even a damaged one: its loader says what is
    wrong), else the shipped one."""
    if data is not None:
        own = data.root / DATA_FOLDERS[kind]
        if own.is_dir() and any(own.iterdir()) and _origin(own) not in STALE_ORIGINS:
            return own
    return SHIPPED_DIR / kind


def _origin(folder: Path) -> str | None:
    """The ``origin`` a saved model's description names, or None when there is no readable one."""
    for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(meta.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "origin" in data:
            return str(data["origin"])
    return None
