"""Start-up and training seconds, and a minimal `rasa init` bot as a latency reference.

Used by `assistant bench`: each figure comes from a fresh process or a scratch folder,
so nothing a user has (logs, rewrites, the Rasa cache) makes it look better than it is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant import training
from assistant.paths import PROJECT_ROOT, DataDir

# What a person says to the bot `rasa init` makes (its intents: greet, mood, goodbye, ...).
INIT_BOT_TURNS = ("hello", "I am feeling great", "goodbye", "hi there", "I am sad", "yes", "bye")
ADDED_EXAMPLES = 200


def first_turn(model: Path) -> dict[str, Any]:
    """Seconds from starting a process to its first answered turn (see `first_turn`)."""
    with tempfile.TemporaryDirectory(prefix="assistant-first-turn-") as scratch:
        data = DataDir(Path(scratch)).ensure()
        shutil.copy(model, data.model_file)
        env = {**training.rasa_env(), "ASSISTANT_T0": repr(time.time())}
        proc = subprocess.run([sys.executable, "-m", "lab.evaluation.first_turn", scratch],
                              cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the first-turn run failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(lines[-1])


def _added_examples(count: int = ADDED_EXAMPLES) -> str:
    """`count` new NLU examples: polite forms of the project's own examples (a retrain's worth)."""
    import yaml

    examples: list[tuple[str, str]] = []
    for path in sorted((PROJECT_ROOT / "stories" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block and isinstance(block.get("examples"), str):
                examples += [(block["intent"], line[2:].strip()) for line in block["examples"].splitlines()
                             if line.strip().startswith("- ") and "[" not in line]
    forms = ("could you {} please", "{} now", "hey {}", "{} thanks")
    chosen = examples[:: max(1, len(examples) // count)][:count]
    by_intent: dict[str, list[str]] = {}
    for i, (intent, text) in enumerate(chosen):
        by_intent.setdefault(intent, []).append(forms[i % len(forms)].format(text))
    blocks = [{"intent": k, "examples": "".join(f"- {t}\n" for t in v)} for k, v in by_intent.items()]
    return yaml.safe_dump({"version": "3.1", "nlu": blocks}, sort_keys=False)


def _timed_train(data: DataDir, root: Path) -> tuple[float, float]:
    """Wall seconds of one forced training, and the CPU seconds its Rasa process used (less
    noisy than wall time on a shared machine)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = training.train(data, force=True, root=root).seconds
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def train_seconds() -> dict[str, Any]:
    """`rasa train` from scratch (empty cache), then again after adding 200 examples."""
    with tempfile.TemporaryDirectory(prefix="assistant-train-bench-") as scratch:
        root = Path(scratch) / "project"
        root.mkdir()
        for name in ("config.yml", "domain", "stories", "endpoints.yml"):
            src = PROJECT_ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
        # The same data folder twice, so the retrain finds the first training's Rasa cache.
        data = DataDir(Path(scratch) / "data").ensure()
        scratch_seconds, scratch_cpu = _timed_train(data, root)
        (root / "stories" / "nlu" / "_bench_added.yml").write_text(_added_examples(), encoding="utf-8")
        retrain_seconds, retrain_cpu = _timed_train(data, root)
    return {"train_scratch_seconds": round(scratch_seconds, 1),
            "retrain_200_seconds": round(retrain_seconds, 1), "added_examples": ADDED_EXAMPLES,
            "train_scratch_cpu_seconds": round(scratch_cpu, 1),
            "retrain_200_cpu_seconds": round(retrain_cpu, 1),
            "retrain_ratio": round(retrain_seconds / scratch_seconds, 2) if scratch_seconds else None}


def init_bot(folder: Path) -> Path:
    """The model of a minimal `rasa init` bot, trained once into `folder` and kept there."""
    model = folder / "models" / "init.tar.gz"
    if model.exists():
        return model
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder)],
                          env=training.rasa_env(), capture_output=True, text=True)
    trained = sorted((folder / "models").glob("*.tar.gz"))
    if proc.returncode != 0 or not trained:
        raise RuntimeError(f"rasa init failed: {proc.stdout.strip().splitlines()[-1:]}")
    trained[-1].rename(model)
    return model
