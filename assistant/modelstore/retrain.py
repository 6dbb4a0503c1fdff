"""Retrain on the learned NLU data behind the gate, and promote or keep the current model.

The candidate trains on stories/ plus the learned examples except a held-back slice; both it and
the current model are judged on the same guard set (`lab.evaluation.gate`); a promoted
model replaces the current one whole (a running chat or server picks it up at its next turn)
and joins the history with its figures.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from assistant.paths import PROJECT_ROOT, DataDir
from assistant.selflearn import learned as lf
from assistant.selflearn.learned import LearnedFileError

Say = Callable[[str], None]
GUARD_CACHE = ".guard-cache.json"    # each judged model's fixed guard results, by its hash
__all__ = ["LearnedFileError", "RetrainOutcome", "learned_users", "retrain"]


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


def retrain(data: DataDir, *, root: Path = PROJECT_ROOT, skip_gate: bool = False,
            say: Say = lambda _: None) -> RetrainOutcome:
    """Train a candidate on stories/ + the learned file, judge it against the current model and
    promote it when the gate allows (``skip_gate``: promote anyway, as after a forget, when
    the learned data shrank because a user asked for it).

    Raises:
        LearnedFileError: the learned file is unreadable (nothing is trained; the current model
            keeps serving).
        TrainingError: the candidate could not be trained (the current model keeps serving).
    """
    from assistant import training
    from assistant.modelstore import history
    from lab.evaluation import gate

    started = time.perf_counter()
    examples = lf.read(data.learned_nlu)
    held = [e for e in examples if gate.held_back(e.text)]
    trained_on = [e for e in examples if not gate.held_back(e.text)]
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
        cand, current = gate.judge_pair(candidate, data.model_file if data.model_file.exists() else None,
                                        held_pairs, cache=data.models / GUARD_CACHE, say=say)
        verdict = gate.decide(cand, current)
        promote, verdict_reasons = verdict.promote, verdict.reasons
        figures = {"candidate": cand.to_dict(), "current": current.to_dict() if current else None}
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

