"""Earlier models, kept with their figures: `DataDir.model_history/<id>/` holds the model, the
learned NLU file it was trained with and `entry.json` (date, fingerprint, training data, guard
figures). The data folder's current model is always the last promoted one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.paths import DataDir

KEEP = 5          # models kept for rollback (the current one included)
ENTRY = "entry.json"
MODEL = "model.tar.gz"
LEARNED = "learned-nlu.yml"


class HistoryError(RuntimeError):
    """A model id that isn't in the history, or a history entry that can't be read."""


@dataclass
class ModelEntry:
    """One promoted model."""

    id: str
    created: str
    fingerprint: str
    training: dict[str, Any] = field(default_factory=dict)   # examples, learned examples, users
    figures: dict[str, Any] = field(default_factory=dict)    # the gate's guard figures
    note: str = ""

    @property
    def learned_users(self) -> set[str]:
        return set(self.training.get("learned_users") or ())


def entries(data: DataDir) -> list[ModelEntry]:
    """The kept models, newest first (unreadable entries are skipped)."""
    found: list[ModelEntry] = []
    if not data.model_history.is_dir():
        return found
    for folder in data.model_history.iterdir():
        try:
            raw = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
            found.append(ModelEntry(**raw))
        except (OSError, ValueError, TypeError):
            continue
    return sorted(found, key=lambda e: (e.created, e.id), reverse=True)


def record(data: DataDir, model: Path, fingerprint: str, *, training: dict[str, Any],
           figures: dict[str, Any], note: str = "", keep: int = KEEP) -> ModelEntry:
    """Keep ``model`` (and the learned file it was trained with) as a new entry; drop the oldest
    entries beyond ``keep``."""
    now = dt.datetime.now(dt.timezone.utc)
    entry = ModelEntry(id=now.strftime("%Y%m%d-%H%M%S-") + fingerprint[:8],
                       created=now.isoformat(timespec="seconds"), fingerprint=fingerprint,
                       training=training, figures=figures, note=note)
    folder = data.model_history / entry.id
    staging = data.model_history / f".{entry.id}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copy2(model, staging / MODEL)
    if data.learned_nlu.exists():
        shutil.copy2(data.learned_nlu, staging / LEARNED)
    (staging / ENTRY).write_text(json.dumps(asdict(entry), indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(staging, folder)
    for old in entries(data)[keep:]:
        shutil.rmtree(data.model_history / old.id, ignore_errors=True)
    return entry


def find(data: DataDir, model_id: str) -> ModelEntry:
    """The entry with this id (or a unique prefix of one)."""
    matches = [e for e in entries(data) if e.id == model_id or e.id.startswith(model_id)]
    if len(matches) != 1:
        known = ", ".join(e.id for e in entries(data)) or "none"
        what = "no model" if not matches else "more than one model"
        raise HistoryError(f"{what} with id {model_id!r} in the history (kept: {known})")
    return matches[0]


def use(data: DataDir, model_id: str) -> ModelEntry:
    """Make a kept model the current one again, with the learned file it was trained with, so
    that `assistant train` sees its inputs as current. A running chat or server picks it up."""
    from assistant.training import write_fingerprint

    entry = find(data, model_id)
    folder = data.model_history / entry.id
    swap = data.model_file.with_name(f".{data.model_file.name}.rollback")
    shutil.copy2(folder / MODEL, swap)
    if (folder / LEARNED).exists():
        data.learned_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / LEARNED, data.learned_nlu)
    elif data.learned_nlu.exists():
        data.learned_nlu.unlink()
    os.replace(swap, data.model_file)
    write_fingerprint(data, entry.fingerprint)
    return entry


def drop_user(data: DataDir, user_id: str) -> list[str]:
    """Remove every kept model trained on examples learned from ``user_id`` (they leave the
    rollback list); the ids removed."""
    removed = []
    for entry in entries(data):
        if user_id in entry.learned_users:
            shutil.rmtree(data.model_history / entry.id, ignore_errors=True)
            removed.append(entry.id)
    return removed
