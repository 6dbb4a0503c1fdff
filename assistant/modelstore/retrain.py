"""Retrain on the learned NLU data behind the gate, and promote or keep the current model.

The candidate trains on stories/ plus the learned examples except a held-back slice; both it and
the current model are judged on the same guard set by the judge the caller GIVES (a `Judge`: the
lab's gate, `lab.evaluation.gate.judge_candidate`, passed in by the CLI and the simulator's
nightly job; the product never imports the lab); a promoted model replaces the current one
whole (a running chat or server picks it up at its next turn) and joins the history with its
figures.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from assistant.paths import PROJECT_ROOT, DataDir
from assistant.selflearn import learned as lf
from assistant.selflearn.learned import LearnedFileError

Say = Callable[[str], None]
GUARD_CACHE = ".guard-cache.json"    # each judged model's fixed guard results, by its hash
HELD_BACK_SHARE = 10        # one learned example in ten is held back (by a hash of its text)
__all__ = ["Judge", "LearnedFileError", "NoJudgeError", "RetrainOutcome", "Verdict", "held_back",
           "learned_users", "retrain"]


class Figures(Protocol):
    """One model's guard figures, as the judge measured them."""

    def to_dict(self) -> dict[str, Any]: ...


class Verdict(Protocol):
    """The judge's decision on a candidate against the current model (read-only members, so a
    judge's own figures type fits)."""

    @property
    def promote(self) -> bool: ...

    @property
    def reasons(self) -> list[str]: ...

    @property
    def candidate(self) -> Figures: ...

    @property
    def current(self) -> Figures | None: ...


class Judge(Protocol):
    """Judges a candidate model against the current one (None: there is none yet) on the guard
    set plus the ``held`` (text, intent) pairs the candidate never trained on. ``cache``: a file
    the judge may keep results in, between retrains."""

    def __call__(self, candidate: Path, current: Path | None, held: Sequence[tuple[str, str]], *,
                 cache: Path | None, say: Say) -> Verdict: ...


class NoJudgeError(RuntimeError):
    """A gated retrain was asked for without a judge (nothing was trained)."""


def held_back(text: str) -> bool:
    """True for the learned examples the candidate doesn't train on (stable across runs)."""
    return int(hashlib.sha1(text.strip().lower().encode()).hexdigest(), 16) % HELD_BACK_SHARE == 0


@dataclass
class RetrainOutcome:
    promoted: bool
    reasons: list[str]
    figures: dict[str, Any]
    seconds: float
    model_id: str | None = None
    learned: int = 0
    held_back: int = 0


def learned_users(data: DataDir) -> list[str]:
    """Everyone whose turns taught the learned file something."""
    return sorted({u for e in lf.read(data.learned_nlu) for u in e.users})


def retrain(data: DataDir, *, judge: Judge | None = None, root: Path = PROJECT_ROOT, skip_gate: bool = False,
            say: Say = lambda _: None) -> RetrainOutcome:
    """Train a candidate on stories/ + the learned file, have ``judge`` judge it against the
    current model and promote it when the verdict allows (``skip_gate``: promote anyway, no
    judge needed, as after a forget, when the learned data shrank because a user asked for it).

    Raises:
        NoJudgeError: no ``judge`` and not ``skip_gate`` (nothing is trained).
        LearnedFileError: the learned file is unreadable (nothing is trained; the current model
            keeps serving).
        TrainingError: the candidate could not be trained (the current model keeps serving).
    """
    from assistant import training
    from assistant.modelstore import history

    if judge is None and not skip_gate:
        raise NoJudgeError("no judge was given to gate the retrain (the lab's gate, "
                           "`lab.evaluation.gate.judge_candidate`): nothing was trained")
    started = time.perf_counter()
    examples = lf.read(data.learned_nlu)
    held = [e for e in examples if held_back(e.text)]
    trained_on = [e for e in examples if not held_back(e.text)]
    staging = data.models / ".candidate"
    copy = lf.write(staging / "learned-nlu.yml", trained_on)
    candidate = staging / "candidate.tar.gz"
    say(f"training a candidate on stories/ + {len(trained_on)} learned examples ({len(held)} held back)")
    training.train(data, force=True, root=root, out=candidate, learned=[copy] if trained_on else [])
    held_pairs = [(e.text, e.intent) for e in held]
    if skip_gate:
        verdict_reasons: list[str] = ["gate skipped: the learned data shrank on a user's request"]
        figures: dict[str, Any] = {}
        promote = True
    else:
        assert judge is not None
        verdict = judge(candidate, data.model_file if data.model_file.exists() else None,
                        held_pairs, cache=data.models / GUARD_CACHE, say=say)
        promote, verdict_reasons = verdict.promote, list(verdict.reasons)
        figures = {"candidate": verdict.candidate.to_dict(),
                   "current": verdict.current.to_dict() if verdict.current is not None else None}
    model_id = None
    if promote:
        if data.model_file.exists() and not history.entries(data):
            # Keep the model self-learning started from, so it can be rolled back to.
            history.record(data, data.model_file, training.stored_fingerprint(data) or "unknown", training={"note": "initial"},
                           figures={"guard": figures.get("current")} if figures else {},
                           note="before self-learning")
        os.replace(candidate, data.model_file)
        fingerprint = training.fingerprint(root, data)
        training.write_fingerprint(data, fingerprint)
        entry = history.record(
            data, data.model_file, fingerprint,
            training={"learned_examples": len(examples), "held_back": len(held),
                      "learned_users": learned_users(data)},
            figures={"guard": figures.get("candidate")} if figures else {}, note="; ".join(verdict_reasons))
        model_id = entry.id
    candidate.unlink(missing_ok=True)
    return RetrainOutcome(promoted=promote, reasons=verdict_reasons, figures=figures,
                          seconds=time.perf_counter() - started, model_id=model_id,
                          learned=len(examples), held_back=len(held))

