"""The failure-point model's training plan and fit, for the build of the shipped models
(`lab.shipped`, `assistant build-models`).

The plan is a set of small seeded population runs played through the real stack (the Rasa
model, the action server, the simulator's users and ASR channel; half of them with the ASR
confidence drawn independently of the damage, so the model does not lean on it); the model is
fitted on the simulator's truth of those logs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.analytics import failure_point as fp

logger = logging.getLogger(__name__)

Status = Callable[[str], None]


@dataclass(frozen=True)
class SimRun:
    """One seeded population run of the plan, in one arm (a learning arm runs with its nightly
    jobs: mining, preferences from activity and, when it learns the NLU, the retrain behind the
    lab's gate)."""

    seed: int
    users: int
    days: int
    independent_asr_confidence: bool = False
    phrasing: str = "templates"        # simulator.population.voice.PhrasingMode value
    asr: str = "confusions"            # simulator.population.channel.AsrMode value
    arm: str = "baseline"              # assistant.learning.config.Arm value
    without: tuple[str, ...] = ()      # learning layers switched off (simulator.population.run.LAYERS)

    def describe(self) -> str:
        asr = ", ASR confidence independent of damage" if self.independent_asr_confidence else ""
        words = ", real phrasing (HWU64)" if self.phrasing == "real" else ""
        heard = ", heard through speech" if self.asr == "speech" else ""
        arm = f", {self.arm} arm" if self.arm != "baseline" else ""
        arm += f" without {', '.join(self.without)}" if self.without else ""
        return f"seed {self.seed}: {self.users} users x {self.days} days{asr}{words}{heard}{arm}"

    @property
    def cost(self) -> int:
        """What the run costs to play, in baseline user-days: an arm that learns the NLU
        retrains the Rasa model each night, about three times the turns' own cost."""
        retrains = self.arm in ("selflearn", "full") and "nlu_learning" not in self.without
        return self.users * self.days * (3 if retrains else 1)


def default_runs() -> tuple[SimRun, ...]:
    """Seeds 101-112, 24 users x 4 days each, baseline arm: in every six, two in the templates'
    wording and four in real people's (HWU64), each wording played with the ASR confidence tied
    to the damage and independent of it. Then seeds 113-118, 24 users x 4 days each, in the
    full arm with its nightly mining and preferences (one in the templates' wording, five in
    real people's), so that rewritten, repaired and explored turns, teaching offers and the
    answers to the assistant's questions are in the truth too (issue 33; 117 and 118 were added
    when the full arm's failure points fell short: most of its misplaced turns were real
    people's first-day answers to teaching offers, docs/RESULTS.md). The nightly NLU
    retrain is left out: it costs two to three minutes a night on this machine (the build would
    take twice as long), and it changes only which NLU model serves, which the baseline's truth
    covers already; the learning arm's failure points are judged on logs with it (docs/RESULTS.md)."""
    kinds = (("templates", False), ("templates", True), ("real", False), ("real", True),
             ("real", False), ("real", True))
    baseline = tuple(SimRun(101 + i, 24, 4, independent_asr_confidence=independent, phrasing=phrasing)
                     for i, (phrasing, independent) in enumerate(kinds * 2))
    learning = tuple(SimRun(113 + i, 24, 4, independent_asr_confidence=independent, phrasing=phrasing, arm="full",
                            without=("nlu_learning",))
                     for i, (phrasing, independent) in enumerate((*kinds[1:], ("real", False))))
    return baseline + learning


@dataclass(frozen=True)
class SetupPlan:
    """What the shipped failure-point and label models are trained on. Seeds below 100 are kept
    for evaluation."""

    # Real people's wording fails differently (many more NLU and entity-resolution failures):
    # trained on templates only, the model was right on 0.60 of real-phrasing failures, with
    # two real-phrasing runs 0.82. More truth kept helping, most on real phrasing and entity
    # resolution (docs/RESULTS.md), so the plan plays twelve runs (seeds 101-112) in two
    # worker processes. Contrastive pretraining was removed: it only ever ran below 800
    # labelled turns, and this plan gives over 8,000 (on mixed logs its warm start hurt: 0.60
    # held out with it, 0.91 without; docs/RESULTS.md).
    runs: tuple[SimRun, ...] = default_runs()
    model_seed: int = 0
    # No time guard: the build plays every run, so the models are the same on every machine.
    max_simulation_seconds: float = float("inf")
    # Worker processes that play the runs, one real stack each (at most one per core).
    workers: int = 2

    def describe(self) -> str:
        return "seeded simulator logs through the real stack (" + "; ".join(r.describe() for r in self.runs) + ")"

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(run.seed for run in self.runs)


def simulate(model_file: Path, runs: Sequence[SimRun], say: Status, timings: dict[str, float],
             *, workers: int = 2, seconds: float = float("inf")) -> list[list[Any]]:
    """Play ``runs`` through the real stack on ``model_file`` (in ``workers`` processes); returns
    each run's logged turns with their truth."""
    from lab.analytics import simulated

    if not model_file.exists():
        raise RuntimeError(f"no Rasa model at {model_file}")
    return simulated.play(model_file, runs, workers=workers, seconds=seconds, say=say, timings=timings)


def train_on_logs(logs: Sequence[Sequence[Any]], plan: SetupPlan = SetupPlan(), say: Status | None = None,
                  timings: dict[str, float] | None = None, *, fingerprint: str = "",
                  source: str | None = None, origin: str = "analyze") -> fp.FailurePointModel:
    """Fit the failure-point model on the truth of ``logs``."""
    report = say or (lambda _line: None)
    clock = timings if timings is not None else {}
    started = time.perf_counter()
    rows, labels = labelled_rows(logs)
    clock["features"] = time.perf_counter() - started
    if not rows:
        raise ValueError("the simulated logs hold no ground truth")
    started = time.perf_counter()
    report(f"fitting the failure-point model on {len(rows)} labelled turns")
    model = fp.FailurePointModel.train(rows, labels, seed=plan.model_seed, source=source or plan.describe(),
                                       origin=origin, fingerprint=fingerprint)
    clock["fit"] = time.perf_counter() - started
    return model


def labelled_rows(logs: Sequence[Sequence[Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Feature rows and ground-truth failure points of every labelled turn in the logs."""
    from assistant.analytics.pipeline import analyze, training_set

    rows: list[dict[str, Any]] = []
    labels: list[str] = []
    for log in logs:
        more_rows, more_labels = training_set(analyze(log))
        rows += more_rows
        labels += more_labels
    return rows, labels
