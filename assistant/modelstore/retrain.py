"""Retrain on the learned NLU data behind the gate, and promote or keep the current model.

The candidate trains on stories/ plus the learned examples except a held-back slice; both it and
the current model are judged on the same guard set (`assistant.evaluation.gate`); a promoted
model replaces the current one whole (a running chat or server picks it up at its next turn)
and joins the history with its figures.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from assistant.paths import PROJECT_ROOT, DataDir

Say = Callable[[str], None]
_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]*\)")


class LearnedFileError(RuntimeError):
    """The learned NLU file can't be read (e.g. edited by hand into invalid YAML)."""


@dataclass
class LearnedExample:
    text: str          # with Rasa's entity markup
    intent: str
    users: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return _MARKUP.sub(r"\1", self.text).strip()


@dataclass
class RetrainOutcome:
    promoted: bool
    reasons: list[str]
    figures: dict[str, Any]
    seconds: float
    model_id: str | None = None
    learned: int = 0
    held_back: int = 0


def read_learned(path: Path) -> list[LearnedExample]:
    """The examples of a learned NLU file (Rasa YAML: examples as a block or as text+metadata)."""
    import yaml

    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise LearnedFileError(f"cannot read the learned NLU file {path}: {error}") from error
    if not isinstance(doc, dict):
        raise LearnedFileError(f"{path} is not a Rasa NLU file (no `nlu:` section)")
    found: list[LearnedExample] = []
    for block in doc.get("nlu") or []:
        if not isinstance(block, dict) or not block.get("intent"):
            continue
        examples = block.get("examples")
        if isinstance(examples, str):
            for line in examples.splitlines():
                if line.strip().startswith("- "):
                    found.append(LearnedExample(line.strip()[2:].strip(), str(block["intent"])))
        elif isinstance(examples, list):
            for item in examples:
                if isinstance(item, dict) and item.get("text"):
                    found.append(LearnedExample(str(item["text"]), str(block["intent"]), users_of(item)))
    return found


def users_of(item: Any) -> list[str]:
    """Who backs one learned example: its provenance, `metadata.learned.users` (as
    `assistant learn-nlu` writes it) or `metadata.users`."""
    meta = item.get("metadata") if isinstance(item, dict) else None
    if not isinstance(meta, dict):
        return []
    learned = meta.get("learned") if isinstance(meta.get("learned"), dict) else meta
    users = learned.get("users") or learned.get("user_ids") or []
    return [str(u) for u in users] if isinstance(users, list) else []


def learned_users(data: DataDir) -> list[str]:
    """Everyone whose turns taught the learned file something."""
    return sorted({u for e in read_learned(data.learned_nlu) for u in e.users})


def _write_training_copy(examples: list[LearnedExample], path: Path) -> Path:
    """The learned examples the candidate trains on, as Rasa YAML (block lists, as stories/ has)."""
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        one_line = " ".join(example.text.split())
        if one_line:
            by_intent.setdefault(example.intent, []).append(one_line)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in dict.fromkeys(texts)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


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
    from assistant.evaluation import gate
    from assistant.modelstore import history

    started = time.perf_counter()
    examples = read_learned(data.learned_nlu)
    held = [e for e in examples if gate.held_back(e.plain)]
    trained_on = [e for e in examples if not gate.held_back(e.plain)]
    staging = data.models / ".candidate"
    copy = _write_training_copy(trained_on, staging / "learned-nlu.yml")
    candidate = staging / "candidate.tar.gz"
    say(f"training a candidate on stories/ + {len(trained_on)} learned examples ({len(held)} held back)")
    outcome = training.train(data, force=True, root=root, out=candidate, learned=[copy] if trained_on else [])
    held_pairs = [(e.plain, e.intent) for e in held]
    if skip_gate:
        verdict_reasons: list[str] = ["gate skipped: the learned data shrank on a user's request"]
        figures: dict[str, Any] = {}
        promote = True
    else:
        current = _current_figures(data, held_pairs, say) if data.model_file.exists() else None
        cand = gate.judge(candidate, held_pairs, say=say)
        verdict = gate.decide(cand, current)
        promote, verdict_reasons = verdict.promote, verdict.reasons
        figures = {"candidate": cand.to_dict(), "current": current.to_dict() if current else None}
    model_id = None
    if promote:
        if data.model_file.exists() and not history.entries(data):
            # Keep the model self-learning started from, so it can be rolled back to.
            history.record(data, data.model_file, _stored_fingerprint(data), training={"note": "initial"},
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


def _stored_fingerprint(data: DataDir) -> str:
    import json

    try:
        return str(json.loads(data.fingerprint_file.read_text()).get("fingerprint") or "unknown")
    except (OSError, ValueError):
        return "unknown"


def _current_figures(data: DataDir, held: list[tuple[str, str]], say: Say) -> Any:
    from assistant.evaluation import gate

    return gate.judge(data.model_file, held, say=say)
