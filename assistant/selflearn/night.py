"""One learning pass over the interaction log: label it, merge the accepted labels into the
learned NLU file, and say what changed. `assistant learn-nlu` prints it; the simulator's
nightly job runs it between simulated days; both then retrain behind the gate.

The input is the log alone (never the simulator's truth): the label model and the
failure-point model of the data folder, or the rules when they are missing.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from assistant.paths import PREFS_URL_ENV, DataDir

if TYPE_CHECKING:
    from assistant.learning.log import TurnRecord
    from assistant.selflearn.candidates import Label
    from assistant.selflearn.learned import Example

Say = Callable[[str], None]
DEFAULT_MAX_USER_SHARE = 0.2
RULES_MIN_CONFIDENCE = 0.9       # the learned file's floor when the rules (no label model) answer


@dataclass
class LearnPass:
    """What one pass found and did to the learned file."""

    labels: list["Label"]                 # accepted this pass (before the file's guards)
    candidates: int
    corrections: int
    method: str                           # "model" or "rules"
    thresholds: dict[str, float]
    examples: list["Example"]             # the learned file after the merge
    added: list["Example"]
    updated: list["Example"]
    dropped: Counter[str] = field(default_factory=Counter)
    written: Path | None = None
    backup: Path | None = None
    unreadable: str | None = None         # why the old learned file could not be read
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.written is not None


def forgotten_users(data: DataDir) -> set[str]:
    """Users who asked to be forgotten altogether (a `forgot *` mark in the habits tables)."""
    if not os.environ.get(PREFS_URL_ENV) and not data.prefs_db.exists():
        return set()
    from assistant.habits.store import HabitStore, HabitStoreError, MarkKind

    try:
        with HabitStore.open(data.prefs_url) as store:
            return {m.user_id for m in store.marks(kind=MarkKind.FORGOT) if m.key == "*"}
    except HabitStoreError:
        return set()


def load_models(data: DataDir) -> tuple[Any, Any, list[str]]:
    """The failure-point model and the label model: the data folder's own when fitted there by
    hand, else the shipped ones (None, with a note, when unusable)."""
    from assistant import shipped
    from assistant.analytics.command import load_failure_points
    from assistant.selflearn.model import LabelModel, LabelModelUnavailable

    notes: list[str] = []
    fp_model, note = load_failure_points(shipped.folder_for(shipped.FAILURE_POINTS, data))
    if note:
        notes.append(f"failure points by rules: {note}")
    folder = shipped.folder_for(shipped.LABELS, data)
    try:
        label_model = LabelModel.load(folder)
    except LabelModelUnavailable as error:
        label_model = None
        rebuild = f"; {shipped.hint()}" if folder.resolve().is_relative_to(shipped.SHIPPED_DIR) else ""
        notes.append(f"labels by rules: {error}{rebuild}")
    return fp_model, label_model, notes


def learn(records: Sequence["TurnRecord"], data: DataDir, *, similarity: Any = None,
          min_confidence: float | None = None, max_user_share: float = DEFAULT_MAX_USER_SHARE,
          dry_run: bool = False, models: tuple[Any, Any, list[str]] | None = None) -> LearnPass:
    """Label ``records`` and merge the labels into the data folder's learned file (written
    unless ``dry_run``). An unreadable learned file is kept aside (not in a dry run) and a new
    one starts from this log. ``similarity`` compares turns (token overlap when None);
    ``models``: the (failure-point, label, notes) triple when the caller has loaded them."""
    from assistant.paths import PROJECT_ROOT
    from assistant.selflearn import learned as lf
    from assistant.selflearn.pipeline import propose, score
    from assistant.selflearn.rewritten import with_rewrites

    fp_model, label_model, notes = models if models is not None else load_models(data)
    proposal = propose(records, similarity=similarity, failure_points=fp_model)
    scored = score(proposal, label_model, min_confidence=min_confidence)
    path = data.learned_nlu
    backup = unreadable = None
    try:
        existing = lf.read(path)
    except lf.LearnedFileError as error:
        unreadable = str(error)
        if not dry_run:
            backup = lf.back_up(path)
        existing = []
    floor = max(min_confidence or 0.0, RULES_MIN_CONFIDENCE) if label_model is None else (min_confidence or 0.0)
    guards = lf.Guards(min_confidence=floor, max_user_share=max_user_share)
    # A rewritten turn teaches what NLU read after the rewrite, on the words heard.
    labels = with_rewrites(scored.labels, {int(r.id): r for r in records if r.id is not None})
    merged = lf.merge(existing, labels, guards=guards, forgotten=forgotten_users(data),
                      committed=lf.committed_texts(PROJECT_ROOT / "stories" / "nlu"))
    written = None
    if not dry_run and (merged.added or merged.updated or backup is not None
                        or len(merged.examples) != len(existing)):
        written = lf.write(path, merged.examples)
    corrections = sum(1 for c in proposal.candidates if c.kind.value == "correction")
    return LearnPass(labels=list(labels), candidates=len(proposal.candidates), corrections=corrections,
                     method=scored.method, thresholds=dict(scored.thresholds), examples=list(merged.examples),
                     added=list(merged.added), updated=list(merged.updated), dropped=Counter(merged.dropped),
                     written=written, backup=backup, unreadable=unreadable, notes=list(notes))
