"""The failure-point model the set-up trains (`assistant train`, hence `make test` and
`make chat`), so that `assistant analyze` on a fresh install uses a trained model.

It plays a few small seeded population runs through the real stack (the Rasa model just
trained, the action server, the simulator's users and ASR channel; one run with the ASR
confidence drawn independently of the damage, so the model does not lean on it), pretrains on
contrastive copies of those logs (no truth used), then continues on the simulator's truth.
The result is saved in ``DATA/analytics/`` with a fingerprint of everything it depends on, and
retrained only when that changes, like the Rasa model. A model someone trained themselves
(`assistant analyze --train`) is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.analytics import failure_point as fp
from assistant.paths import PROJECT_ROOT, DataDir

logger = logging.getLogger(__name__)

MODEL_FOLDER = "analytics"
SETUP_ORIGIN = "setup"
# What the model depends on besides the Rasa model: a change retrains it. The simulator is
# left out on purpose (it changes often; `rm -r DATA/analytics` retrains after such a change).
INPUTS = ("assistant/analytics", "assistant/learning/log.py")
Status = Callable[[str], None]


@dataclass(frozen=True)
class SimRun:
    """One seeded population run the set-up plays (baseline arm)."""

    seed: int
    users: int
    days: int
    independent_asr_confidence: bool = False
    phrasing: str = "templates"        # simulator.population.voice.PhrasingMode value

    def describe(self) -> str:
        asr = ", ASR confidence independent of damage" if self.independent_asr_confidence else ""
        words = ", real phrasing (HWU64)" if self.phrasing == "real" else ""
        return f"seed {self.seed}: {self.users} users x {self.days} days{asr}{words}"


def default_runs() -> tuple[SimRun, ...]:
    """Seeds 101-112, 24 users x 4 days each: in every six, two in the templates' wording and
    four in real people's (HWU64), each wording played with the ASR confidence tied to the
    damage and independent of it."""
    kinds = (("templates", False), ("templates", True), ("real", False), ("real", True),
             ("real", False), ("real", True))
    return tuple(SimRun(101 + i, 24, 4, independent_asr_confidence=independent, phrasing=phrasing)
                 for i, (phrasing, independent) in enumerate(kinds * 2))


@dataclass(frozen=True)
class SetupPlan:
    """What the set-up trains on. Seeds below 100 are kept for evaluation."""

    # Real people's wording fails differently (many more NLU and entity-resolution failures):
    # trained on templates only, the model was right on 0.60 of real-phrasing failures, with
    # two real-phrasing runs 0.82. More truth kept helping, most on real phrasing and entity
    # resolution (docs/RESULTS.md), so the set-up plays twelve runs (seeds 101-112), twice what
    # it did, in two worker processes, in about the time six took in one.
    runs: tuple[SimRun, ...] = default_runs()
    contrastive_seed: int = 0
    model_seed: int = 0
    # Contrastive pretraining only while the truth is scarce: it buys a few points at 400
    # truth turns, nothing at 1,600, and on logs that mix templates and real phrasing its
    # warm start hurt (held-out accuracy 0.60 with it, 0.91 without; docs/RESULTS.md).
    pretrain_below: int = 800
    # A guard, not the plan: on a quiet 2-core machine each worker's six runs take about four
    # minutes; on the busy CI machine twelve runs took 485 s to play and fit, cut at 7,704 of
    # 8,648 turns by a 360 s guard. When the machine is so busy that the runs take longer than
    # this, the model is trained on the user-days played by then, and its description says so.
    # (Twelve runs of 16 users instead of 24, to fit the time, scored 0.911 on seeds 26-31, not 0.938.)
    max_simulation_seconds: float = 300.0
    # Worker processes that play the runs, one real stack each (at most one per core).
    workers: int = 2

    def describe(self) -> str:
        return "seeded simulator logs through the real stack (" + "; ".join(r.describe() for r in self.runs) + ")"


@dataclass
class SetupOutcome:
    """What `ensure_model` did."""

    folder: Path
    trained: bool
    reason: str
    seconds: float = 0.0
    info: fp.ModelInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)


def model_folder(data: DataDir) -> Path:
    return data.root / MODEL_FOLDER


def fingerprint(data: DataDir, plan: SetupPlan = SetupPlan(), root: Path = PROJECT_ROOT) -> str:
    """A hash of the Rasa model's fingerprint, this code, scikit-learn's version and the plan."""
    import sklearn

    digest = hashlib.sha256(f"sklearn={sklearn.__version__};features={fp.FEATURE_VERSION}".encode())
    digest.update(json.dumps(asdict(plan), sort_keys=True).encode())
    try:
        digest.update(json.loads(data.fingerprint_file.read_text()).get("fingerprint", "").encode())
    except (OSError, ValueError, AttributeError):
        digest.update(b"no-rasa-fingerprint")
    for name in INPUTS:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def current_info(folder: Path) -> fp.ModelInfo | None:
    """The saved model's description, or None when there is none or it is unreadable."""
    try:
        return fp.ModelInfo.from_json(json.loads((folder / fp.META_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def needs_training(data: DataDir, plan: SetupPlan = SetupPlan()) -> str | None:
    """Why the set-up must (re)train the model, or None when it is current or user-trained."""
    folder = model_folder(data)
    info = current_info(folder)
    if info is None:
        return "no failure-point model yet"
    if info.origin != SETUP_ORIGIN:
        return None          # trained by hand with `assistant analyze --train`: the user's choice
    try:
        fp.FailurePointModel.load(folder)
    except fp.ModelUnavailable as error:
        return str(error)
    if info.fingerprint != fingerprint(data, plan):
        return "its inputs changed (Rasa model, analytics or simulator code)"
    return None


AfterFit = Callable[[Sequence[Sequence[Any]], fp.FailurePointModel, Status], None]


def ensure_model(data: DataDir, *, plan: SetupPlan = SetupPlan(), force: bool = False,
                 status: Status | None = None, after_fit: AfterFit | None = None) -> SetupOutcome:
    """Train the failure-point model unless the saved one is current; never raises for a
    failed simulation or fit (the outcome says why, and `analyze` falls back to rules).
    ``after_fit(logs, model, status)`` runs on the same simulated logs once the model is saved
    (the self-learning label model is fitted there); its failure is its own to report."""
    say = status or (lambda _line: None)
    folder = model_folder(data)
    reason = "forced" if force else needs_training(data, plan)
    if reason is None:
        return SetupOutcome(folder, False, "up to date", info=current_info(folder))
    started = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        logs = simulate(data, plan, say, timings)
        source = plan.describe() + (", cut short by the time guard" if "cut" in timings else "")
        model = train_on_logs(logs, plan, say, timings, fingerprint=fingerprint(data, plan), source=source)
    except (fp.ModelUnavailable, ValueError, LookupError, RuntimeError, OSError) as error:
        logger.warning("failure-point model not trained: %s", error)
        return SetupOutcome(folder, False, f"training failed: {error}", time.perf_counter() - started,
                            timings=timings)
    model.save(folder)
    if after_fit is not None:
        after_started = time.perf_counter()
        after_fit(logs, model, say)
        timings["after fit"] = time.perf_counter() - after_started
    return SetupOutcome(folder, True, reason, time.perf_counter() - started, model.info, timings)


def simulate(data: DataDir, plan: SetupPlan, say: Status, timings: dict[str, float]) -> list[list[Any]]:
    """Play the plan's runs (the real stack, this data folder's Rasa model, in
    `plan.workers` processes); returns each run's logged turns with their truth."""
    from assistant.analytics import simulated

    if not data.model_file.exists():
        raise RuntimeError(f"no Rasa model at {data.model_file}")
    return simulated.play(data.model_file, plan.runs, workers=plan.workers, seconds=plan.max_simulation_seconds,
                          say=say, timings=timings)


def train_on_logs(logs: Sequence[Sequence[Any]], plan: SetupPlan = SetupPlan(), say: Status | None = None,
                  timings: dict[str, float] | None = None, *, fingerprint: str = "",
                  source: str | None = None, origin: str = SETUP_ORIGIN) -> fp.FailurePointModel:
    """Fit the truth of ``logs``; while it is scarce (under ``plan.pretrain_below`` labelled
    turns), pretrain first on contrastive copies of the logs (their truth unused)."""

    report = say or (lambda _line: None)
    clock = timings if timings is not None else {}
    started = time.perf_counter()
    rows, labels = labelled_rows(logs)
    pretrain = None
    if len(rows) < plan.pretrain_below:
        report("pretraining on contrastive copies of the logs")
        pretrain = contrastive_rows([t for log in logs for t in log], plan.contrastive_seed)
    clock["features"] = time.perf_counter() - started
    if not rows:
        raise ValueError("the simulated logs hold no ground truth")
    started = time.perf_counter()
    report(f"fitting the failure-point model on {len(rows)} labelled turns")
    model = fp.FailurePointModel.train(rows, labels, seed=plan.model_seed, source=source or plan.describe(),
                                       pretrain=pretrain, origin=origin, fingerprint=fingerprint)
    clock["fit"] = time.perf_counter() - started
    return model


def contrastive_rows(records: Sequence[Any], seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Feature rows and labels of the contrastive data made from ``records`` (truth removed)."""
    from assistant.analytics import contrastive
    from assistant.analytics.pipeline import analyze

    made, labels = contrastive.generate(records, seed)
    for number, record in enumerate(made, start=1):
        record.id = number
    label_of = {id(r): label for r, label in zip(made, labels)}
    analysis = analyze(made)
    return analysis.rows, [label_of[id(c.turn)] for c in analysis.contexts]


def run_setup(data: DataDir, console: Any, *, also: str | None = None, after_fit: AfterFit | None = None) -> int:
    """The set-up step after the Rasa model (`assistant train`): trains the failure-point model
    when it is missing or stale and says what it did in one line. Always returns 0: without
    the model, `assistant analyze` still works, with rules, and says so. ``also``: why a model
    fitted by ``after_fit`` on the same logs needs them again (the simulation is replayed)."""
    reason = needs_training(data) or also
    if reason is None:
        info = current_info(model_folder(data))
        console.print(f"Failure-point model is up to date: {model_folder(data)}"
                      + (f" ({info.origin})" if info and info.origin != SETUP_ORIGIN else ""))
        return 0
    with console.status(f"Training the failure-point model ({reason})...") as shown:
        outcome = ensure_model(data, force=also is not None,
                               status=lambda line: shown.update(f"Failure-point model: {line}..."), after_fit=after_fit)
    if outcome.trained and outcome.info is not None:
        console.print(f"Trained the failure-point model in {outcome.seconds:.0f} s: {outcome.info.describe()}",
                      soft_wrap=True)
    else:
        console.print(f"[yellow]warning:[/] no failure-point model ({outcome.reason}); "
                      "`assistant analyze` will use rules", soft_wrap=True)
    return 0


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
