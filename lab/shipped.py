"""`assistant build-models`: the one lab command that builds the models the product ships.

It plays the plan's seeded simulator runs through the real stack (seeds 101-118, the Rasa model
of the data folder, trained first when stale), fits the failure-point model and, on the same
logs, the self-learning label model (the simulator's truth is the fit's target only), scores
the failure-point model on held-out seeds it never saw (40 and 41), and writes both into
``assistant/models/`` with ``shipped.json``: the command, the seeds, the scores and the feature
code's fingerprint (`assistant.shipped`). Every run is played to the end (no time guard), so the
same code gives the same models on every machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant import shipped
from assistant.paths import DataDir
from lab.analytics.training import SetupPlan, SimRun, simulate, train_on_logs

Status = Callable[[str], None]
Simulate = Callable[..., list[list[Any]]]
SHIPPED_ORIGIN = "shipped"
# Held out: the plan never plays them. One in templates, one in real people's phrasing.
EVAL_RUNS = (SimRun(40, 20, 3, phrasing="real"), SimRun(41, 20, 3, independent_asr_confidence=True))


@dataclass
class BuildOutcome:
    out: Path
    seconds: float
    scores: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def build(model_file: Path, out: Path = shipped.SHIPPED_DIR, *, plan: SetupPlan = SetupPlan(),
          eval_runs: Sequence[SimRun] = EVAL_RUNS, say: Status | None = None,
          play: Simulate = simulate) -> BuildOutcome:
    """Build both models from ``plan`` on the Rasa model ``model_file`` and write them to ``out``
    (replaced whole, only once both are fitted)."""
    from assistant.analytics import evaluate
    from assistant.analytics.pipeline import analyze
    from assistant.selflearn.model import LabelModel
    from assistant.selflearn.pipeline import propose
    from assistant.similarity import segment_similarity
    from lab.selflearn.study import training_rows

    report = say or (lambda _line: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    fingerprint = shipped.feature_fingerprint()
    logs = play(model_file, plan.runs, report, timings, workers=plan.workers, seconds=plan.max_simulation_seconds)
    fp_model = train_on_logs(logs, plan, report, timings, fingerprint=fingerprint, origin=SHIPPED_ORIGIN)
    report("fitting the self-learning label model on the same logs")
    proposals = [propose(log, similarity=segment_similarity, failure_points=fp_model) for log in logs]
    rows, right, groups = training_rows(proposals)
    if not rows or all(right) or not any(right):
        raise ValueError(f"the logs give {len(rows)} label candidates; both right and wrong labels are needed")
    label_model = LabelModel.fit(rows, right, groups, fingerprint=fingerprint,
                                 source=f"seeded simulator logs (seeds {min(plan.seeds)}-{max(plan.seeds)})")
    label_model.info.origin = SHIPPED_ORIGIN
    scores: dict[str, Any] = {"training_turns": fp_model.info.n_train, "label_candidates": len(rows),
                              "label_model_out_of_fold": label_model.info.oof}
    if eval_runs:
        report("scoring the failure-point model on held-out seeds")
        held_out = play(model_file, eval_runs, report, timings, workers=plan.workers)
        for run, log in zip(eval_runs, held_out):
            figures = evaluate.failure_points(analyze(log, model=fp_model)) or {}
            scores[f"seed {run.seed}"] = {"run": run.describe(), "turns": len(log),
                                          "failure_point_accuracy_on_failed_turns":
                                              figures.get("accuracy_on_failed_turns"),
                                          "failure_point_macro_f1": figures.get("macro_f1_failures")}
    with tempfile.TemporaryDirectory(prefix="shipped-", dir=out.parent if out.parent.exists() else None) as tmp:
        staging = Path(tmp) / "models"
        fp_model.save(staging / shipped.FAILURE_POINTS)
        label_model.save(staging / shipped.LABELS)
        meta = {"fingerprint": fingerprint, "command": shipped.BUILD_COMMAND, "seeds": list(plan.seeds),
                "held_out_seeds": [run.seed for run in eval_runs], "plan": plan.describe(),
                "sklearn": fp_model.info.sklearn_version, "scores": scores}
        (staging / shipped.META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staging, out)
    return BuildOutcome(out, time.perf_counter() - started, scores, timings)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=shipped.SHIPPED_DIR,
                        help=f"where to write the models (default: the package's own, {shipped.SHIPPED_DIR})")
    parser.add_argument("--no-eval", action="store_true", help="skip the held-out scoring (seeds 40, 41)")


def run(args: argparse.Namespace) -> int:
    """The command: trains the Rasa model when stale, builds, says what it wrote."""
    from rich.console import Console

    from assistant import training

    console = Console(highlight=False)
    data = DataDir(args.data_dir)
    if not training.is_current(data):
        with console.status("Training the Rasa model first...") as status:
            training.train(data, status=lambda line: status.update(f"Training the Rasa model: {line}"))
    with console.status("Building the shipped models...") as status:
        outcome = build(data.model_file, args.out, eval_runs=() if args.no_eval else EVAL_RUNS,
                        say=lambda line: status.update(f"Building the shipped models: {line}..."))
    console.print(f"Wrote the shipped models to {outcome.out} in {outcome.seconds:.0f} s")
    console.print_json(json.dumps(outcome.scores))
    return 0
