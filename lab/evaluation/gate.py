"""The gate a retrained NLU passes before it serves: the candidate and the current model are
judged on the same guard set, in the real stack.

Guard set: the intents of the project's test stories, a held-back slice of the learned examples
(never trained on by the candidate), and the regression conversations. The stories and the
conversations are this package's data (`lab/data/guard/`: copies of `tests/test_stories/` and
`tests/conversations/`, kept equal by tests/lab/evaluation/test_gate.py), so nothing reads tests/
at run time. The candidate is promoted only when its guard intent accuracy is at most `MAX_DROP`
below the current model's and no regression conversation newly fails.

`judge_candidate` is the judge `assistant.modelstore.retrain.retrain` is given (by the CLI's
`learn-nlu` and the simulator's nightly job): the product never imports the lab.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.modelstore.retrain import HELD_BACK_SHARE, held_back
from assistant.paths import DataDir

logger = logging.getLogger(__name__)

MAX_DROP = 0.005            # half a point of guard intent accuracy
GUARD = Path(__file__).resolve().parent.parent / "data" / "guard"   # package data
TEST_STORIES = GUARD / "test_stories"
CONVERSATIONS = GUARD / "conversations"
# Where the packages are (the project's root in a clone, site-packages when installed).
_PACKAGES = Path(__file__).resolve().parent.parent.parent
Say = Callable[[str], None]
__all__ = ["CONVERSATIONS", "HELD_BACK_SHARE", "MAX_DROP", "TEST_STORIES", "GuardFigures", "Verdict", "decide",
           "held_back", "judge", "judge_candidate", "judge_pair", "story_examples"]


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
    return judge_models([model], held, conversations=conversations, say=say)[0]


def judge_pair(candidate: Path, current: Path | None, held: Sequence[tuple[str, str]], *,
               conversations: Sequence[Path] | None = None, cache: Path | None = None,
               say: Say = lambda _: None) -> tuple[GuardFigures, GuardFigures | None]:
    """The candidate's and the current model's figures, judged in one fresh process.
    ``cache``: a JSON file keeping each model's test-story and conversation results (by the
    model's hash and the guard's inputs), so that last night's candidate, now current, only has
    the held-back examples to parse."""
    models = [candidate] + ([current] if current is not None else [])
    figures = judge_models(models, held, conversations=conversations, cache=cache, say=say)
    return figures[0], (figures[1] if current is not None else None)


def judge_candidate(candidate: Path, current: Path | None, held: Sequence[tuple[str, str]], *,
                    cache: Path | None = None, say: Say = lambda _: None) -> Verdict:
    """The gate as `assistant.modelstore.retrain`'s judge: both models judged (`judge_pair`),
    then `decide`."""
    cand, cur = judge_pair(candidate, current, held, cache=cache, say=say)
    return decide(cand, cur)


def judge_models(models: Sequence[Path], held: Sequence[tuple[str, str]], *,
                 conversations: Sequence[Path] | None = None, cache: Path | None = None,
                 say: Say = lambda _: None) -> list[GuardFigures]:
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
    names = " and ".join(m.name for m in models)
    say(f"judging {names} in the real stack ({len(paths)} conversations, {len(held)} held-back examples)")
    request = json.dumps({"models": [str(m) for m in models], "held": list(map(list, held)), "conversations": paths,
                          "cache": str(cache) if cache else None})
    proc = subprocess.run([sys.executable, "-m", "lab.evaluation.gate"], input=request,
                          capture_output=True, text=True, env=env, cwd=_PACKAGES)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"judging {names} failed: {tail}")
    return [GuardFigures(**f) for f in json.loads(lines[-1])]


def _inputs_digest(conversations: Sequence[Path]) -> str:
    """What a model's fixed guard results depend on besides the model: the test stories, the
    conversations and the code that plays them."""
    digest = hashlib.sha256()
    files = [*sorted(TEST_STORIES.glob("*.yml")), *conversations,
             *sorted(p for name in ("assistant", "simulator") for p in (_PACKAGES / name).rglob("*.py"))]
    for path in files:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _model_digest(model: Path) -> str:
    digest = hashlib.sha256()
    with model.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:32]


def _read_cache(path: Path | None) -> dict[str, Any]:
    import json

    if path is None or not path.exists():
        return {}
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_cache(path: Path | None, cache: dict[str, Any], keep: int = 20) -> None:
    import json

    if path is None:
        return
    kept = dict(list(cache.items())[-keep:])
    staging = path.with_suffix(".tmp")
    staging.write_text(json.dumps(kept))
    staging.replace(path)


def _judge_here(models: Sequence[Path], held: Sequence[tuple[str, str]], conversations: Sequence[Path],
                cache_path: Path | None = None) -> list[GuardFigures]:
    import functools
    import os

    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime
    from simulator.scenario import load_scenario, run_scenario

    guard = story_examples()
    cache = _read_cache(cache_path)
    inputs = _inputs_digest(conversations)
    results: list[GuardFigures] = []
    with tempfile.TemporaryDirectory(prefix="assistant-gate-") as scratch:
        data = DataDir(Path(scratch)).ensure()
        shutil.copy(models[0], data.model_file)
        # "Forget everything about me" (a regression conversation) forgets as the chat does,
        # without retraining anything.
        forget = functools.partial(forget_everywhere, retrain=False)
        with Runtime.start(data.root, model_path=data.model_file, forget=forget) as runtime:
            def intent_of(text: str) -> str:
                parsed = runtime.parse(text)
                return str((parsed.get("intent") or {}).get("name"))

            for number, model in enumerate(models):
                if number:
                    staging = data.models / ".next.tar.gz"
                    shutil.copy(model, staging)
                    os.replace(staging, data.model_file)
                    if not runtime.reload_if_replaced():
                        raise RuntimeError(f"{model} did not load")
                    runtime.reset_learning()
                key = f"{_model_digest(model)}:{inputs}"
                fixed = cache.get(key)
                if fixed is None:
                    failed: list[str] = []
                    for path in conversations:
                        report = run_scenario(load_scenario(path), runtime, preferences=runtime.preference,
                                              forget=runtime.preferences.forget)
                        if report.failed:
                            failed.append(path.stem)
                    fixed = {"right": sum(intent_of(t) == i for t, i in guard), "failed": failed}
                    cache[key] = fixed
                held_right = sum(intent_of(t) == i for t, i in held)
                total = len(guard) + len(held)
                results.append(GuardFigures(
                    intent_accuracy=(fixed["right"] + held_right) / total if total else 1.0, examples=total,
                    held_back_accuracy=held_right / len(held) if held else None, held_back=len(held),
                    conversations=len(conversations), failed_conversations=list(fixed["failed"])))
    _write_cache(cache_path, cache)
    return results


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
    """`python -m lab.evaluation.gate` < {"models", "held", "conversations", "cache"}: one
    JSON line, the figures of each model in order."""
    import json
    import sys

    request = json.loads(sys.stdin.read())
    figures = _judge_here([Path(m) for m in request["models"]], [tuple(p) for p in request["held"]],
                          [Path(p) for p in request["conversations"]],
                          Path(request["cache"]) if request.get("cache") else None)
    print(json.dumps([f.to_dict() for f in figures]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
