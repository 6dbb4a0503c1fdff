"""The gate a retrained NLU passes before it serves: the candidate and the current model are
judged on the same guard set, in the real stack.

Guard set: the intents of the project's test stories (`tests/test_stories/`), a held-back slice
of the learned examples (never trained on by the candidate), and the regression conversations
(`tests/conversations/`). The candidate is promoted only when its guard intent accuracy is at
most `MAX_DROP` below the current model's and no regression conversation newly fails.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.paths import PROJECT_ROOT, DataDir

logger = logging.getLogger(__name__)

MAX_DROP = 0.005            # half a point of guard intent accuracy
HELD_BACK_SHARE = 10        # one learned example in ten is held back (by a hash of its text)
TEST_STORIES = PROJECT_ROOT / "tests" / "test_stories"
CONVERSATIONS = PROJECT_ROOT / "tests" / "conversations"
Say = Callable[[str], None]


@dataclass
class GuardFigures:
    """One model on the guard set."""

    intent_accuracy: float
    examples: int
    held_back_accuracy: float | None
    held_back: int
    conversations: int
    failed_conversations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Verdict:
    """The gate's decision, with both models' figures and the reasons."""

    promote: bool
    reasons: list[str]
    candidate: GuardFigures
    current: GuardFigures | None


def held_back(text: str) -> bool:
    """True for the learned examples the candidate doesn't train on (stable across runs)."""
    return int(hashlib.sha1(text.strip().lower().encode()).hexdigest(), 16) % HELD_BACK_SHARE == 0


def story_examples(folder: Path = TEST_STORIES) -> list[tuple[str, str]]:
    """(text, intent) of every user step of the test stories, entity markup removed."""
    import re

    import yaml

    pairs: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for story in doc.get("stories") or []:
            for step in story.get("steps") or []:
                if "user" in step and step.get("intent"):
                    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", str(step["user"])).strip()
                    if text and not text.startswith("/"):
                        pairs.append((text, str(step["intent"])))
    return pairs


def judge(model: Path, held: Sequence[tuple[str, str]], *, conversations: Sequence[Path] | None = None,
          say: Say = lambda _: None) -> GuardFigures:
    """The model's guard figures, measured in a fresh process on a scratch data folder with its
    own stores (nothing the gate plays reaches anyone's log, preferences or conversations, and
    the calling process's stores stay as they were)."""
    import json
    import subprocess
    import sys

    from assistant.paths import (
        LEARNING_URL_ENV,
        LOCK_URL_ENV,
        PREFS_URL_ENV,
        SERVICE_URL_ENV,
        TRACKER_URL_ENV,
    )
    from assistant.training import rasa_env

    paths = [str(p) for p in (conversations if conversations is not None else sorted(CONVERSATIONS.glob("*.yml")))]
    env = {k: v for k, v in rasa_env().items()
           if k not in (PREFS_URL_ENV, LEARNING_URL_ENV, SERVICE_URL_ENV, TRACKER_URL_ENV, LOCK_URL_ENV)}
    say(f"judging {model.name} in the real stack ({len(paths)} conversations, {len(held)} held-back examples)")
    request = json.dumps({"model": str(model), "held": list(map(list, held)), "conversations": paths})
    proc = subprocess.run([sys.executable, "-m", "assistant.evaluation.gate"], input=request,
                          capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"judging {model} failed: {tail}")
    return GuardFigures(**json.loads(lines[-1]))


def _judge_here(model: Path, held: Sequence[tuple[str, str]], conversations: Sequence[Path]) -> GuardFigures:
    from assistant.runtime import Runtime
    from simulator.scenario import load_scenario, run_scenario

    guard = story_examples()
    with tempfile.TemporaryDirectory(prefix="assistant-gate-") as scratch:
        data = DataDir(Path(scratch)).ensure()
        shutil.copy(model, data.model_file)
        with Runtime.start(data.root, model_path=data.model_file) as runtime:
            def intent_of(text: str) -> str:
                assert runtime.agent is not None
                parsed = runtime._run(runtime.agent.parse_message(text))
                return str((parsed.get("intent") or {}).get("name"))

            right = sum(intent_of(t) == i for t, i in guard)
            held_right = sum(intent_of(t) == i for t, i in held)
            failed: list[str] = []
            for path in conversations:
                report = run_scenario(load_scenario(path), runtime, preferences=runtime.preference,
                                      forget=runtime.preferences.forget)
                if report.failed:
                    failed.append(path.stem)
    total = len(guard) + len(held)
    return GuardFigures(
        intent_accuracy=(right + held_right) / total if total else 1.0, examples=total,
        held_back_accuracy=held_right / len(held) if held else None, held_back=len(held),
        conversations=len(conversations), failed_conversations=failed)


def decide(candidate: GuardFigures, current: GuardFigures | None, max_drop: float = MAX_DROP) -> Verdict:
    """Promote unless guard accuracy drops more than ``max_drop`` or a conversation newly fails."""
    reasons: list[str] = []
    if current is not None:
        drop = current.intent_accuracy - candidate.intent_accuracy
        if drop > max_drop + 1e-12:
            reasons.append(f"guard intent accuracy would drop {drop * 100:.1f} points "
                           f"({current.intent_accuracy:.1%} -> {candidate.intent_accuracy:.1%}; "
                           f"at most {max_drop * 100:.1f} allowed)")
        newly = sorted(set(candidate.failed_conversations) - set(current.failed_conversations))
    else:
        newly = sorted(candidate.failed_conversations)
    if newly:
        reasons.append("regression conversations would newly fail: " + ", ".join(newly))
    return Verdict(promote=not reasons, reasons=reasons, candidate=candidate, current=current)


def main() -> int:
    """`python -m assistant.evaluation.gate` < {"model", "held", "conversations"}: one JSON line."""
    import json
    import sys

    request = json.loads(sys.stdin.read())
    figures = _judge_here(Path(request["model"]), [tuple(p) for p in request["held"]],
                          [Path(p) for p in request["conversations"]])
    print(json.dumps(figures.to_dict()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
