"""The simulated training logs of the shipped models (`assistant build-models`): seeded population runs played through the real stack
(the Rasa model, the action server, the simulator's users and ASR channel).

The runs are shared among worker processes, one real stack each (two on a two-core machine:
a run keeps about one core busy), so the build plays twice the truth in the same time. Which
runs a worker plays is fixed by the plan, never by timing, so a plan gives the same logs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queues
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from simulator import truth_store

if TYPE_CHECKING:
    from lab.analytics.training import SimRun

logger = logging.getLogger(__name__)
Status = Callable[[str], None]


class OutOfTime(Exception):
    """The simulation ran past the plan's guard."""


def worker_count(wanted: int) -> int:
    """Workers to use: the plan's wish, at most one per core (at least one)."""
    return max(1, min(wanted, os.cpu_count() or 1))


def shares(runs: Sequence["SimRun"], workers: int) -> list[list[int]]:
    """Which runs (by index) each worker plays: the largest first, each to the least loaded
    worker (`SimRun.cost`, user-days weighted by the arm's nightly retrains); ties go to the lower
    worker, so the split is fixed."""
    loads = [0] * workers
    out: list[list[int]] = [[] for _ in range(workers)]
    for index in sorted(range(len(runs)), key=lambda i: (-runs[i].cost, i)):
        target = min(range(workers), key=lambda w: (loads[w], w))
        out[target].append(index)
        loads[target] += runs[index].cost
    return [sorted(share) for share in out if share]


def play(model_file: Path, runs: Sequence["SimRun"], *, workers: int, seconds: float, say: Status,
         timings: dict[str, float]) -> list[list[Any]]:
    """Each run's logged turns with their truth, in the plan's order. A run the time guard
    stopped keeps the user-days played; the runs after it in its worker are skipped."""
    count = worker_count(workers)
    if count == 1 or len(runs) == 1:
        played_logs, clock = play_share(str(model_file), list(runs), seconds, say)
        timings.update(clock)
        return [log for log in played_logs if log is not None]
    split = shares(runs, count)
    say(f"playing {len(runs)} simulated runs in {len(split)} processes")
    context = multiprocessing.get_context("spawn")   # a fresh interpreter: no forked event loop
    with context.Manager() as manager, ProcessPoolExecutor(len(split), mp_context=context) as pool:
        lines = manager.Queue()
        futures: list[Future] = [pool.submit(_play_in_worker, str(model_file), [runs[i] for i in share],
                                             seconds, lines) for share in split]
        while not all(f.done() for f in futures):
            try:
                say(lines.get(timeout=0.5))
            except queues.Empty:
                pass
        results = [f.result() for f in futures]
    logs: list[list[Any] | None] = [None] * len(runs)
    for share, (played, clock) in zip(split, results):
        for index, log in zip(share, played):
            logs[index] = log
        for name, value in clock.items():
            timings[name] = max(timings.get(name, 0.0), value) if name in ("start", "cut") else value
    return [log for log in logs if log is not None]


def _play_in_worker(model_file: str, runs: list["SimRun"], seconds: float,
                    lines: Any) -> tuple[list[list[Any] | None], dict[str, float]]:
    logging.basicConfig(level=logging.WARNING)
    return play_share(model_file, runs, seconds, lines.put)


def play_share(model_file: str, runs: list["SimRun"], seconds: float,
               say: Status) -> tuple[list[list[Any] | None], dict[str, float]]:
    """Play ``runs`` one after another on one real stack in a scratch folder: each run's
    turns (None for a run the time guard skipped) and the timings."""
    from assistant.paths import DEFAULT_DATA_DIR
    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime
    from simulator.population.asr import AsrConfig
    from simulator.population.channel import make_channel
    from simulator.population.run import run_population

    timings: dict[str, float] = {}
    logs: list[list[Any] | None] = []
    with tempfile.TemporaryDirectory(prefix="analytics-setup-") as scratch:
        say("starting the stack for the simulated training logs")
        started = time.perf_counter()
        serving = own_model(Path(scratch), Path(model_file)) if any(r.cost > r.users * r.days for r in runs) \
            else Path(model_file)
        with Runtime.start(Path(scratch), model_path=serving, forget=forget_everywhere) as runtime:
            timings["start"] = time.perf_counter() - started
            template = runtime.home.snapshot()
            deadline = time.perf_counter() + seconds
            jobs = NightlyJobs(runtime)
            for run in runs:
                if "cut" in timings:
                    logs.append(None)
                    continue
                started = time.perf_counter()
                say(f"simulating {run.describe()}")
                asr = AsrConfig(confidence_from_damage=not run.independent_asr_confidence)
                # Speech keeps its heard cache in the data folder, shared by the runs and workers.
                channel = make_channel(run.asr, seed=run.seed, data_dir=DEFAULT_DATA_DIR, rates=asr)

                def guard(done: int, total: int, run: "SimRun" = run) -> None:
                    say(f"simulating {run.describe()}: {done}/{total} user-days")
                    if time.perf_counter() > deadline and done < total:
                        raise OutOfTime(f"seed {run.seed} stopped after {done} of {total} user-days")

                try:
                    run_population(runtime, users=run.users, days=run.days, seed=run.seed, arm=run.arm,
                                   asr_config=asr, home_template=template, progress=guard,
                                   phrasing=run.phrasing, channel=channel, without=run.without,
                                   **jobs.of(run.arm, run.without))
                except OutOfTime as stop:
                    timings["cut"] = 1.0
                    logger.warning("the machine is slow: %s", stop)
                assert runtime.log is not None
                logs.append([t for t in truth_store.turns_with_truth(runtime.log) if t.truth])
                timings[f"seed {run.seed}"] = time.perf_counter() - started
    return logs, timings


def own_model(root: Path, model: Path) -> Path:
    """A learning arm retrains its data folder's own model: ``model`` copied into ``root`` (with
    the training fingerprint, so it is not taken for stale), and Rasa's cache beside it."""
    import shutil

    from assistant import training
    from assistant.paths import DataDir

    data = DataDir(root).ensure()
    if not data.model_file.exists():
        shutil.copy(model, data.model_file)
        training.write_fingerprint(data, training.fingerprint(data=data))
    cache = model.parent.parent / "rasa-cache"
    if cache.is_dir() and not (root / "rasa-cache").exists():
        shutil.copytree(cache, root / "rasa-cache")
    return data.model_file


class NightlyJobs:
    """The nightly jobs of each arm for `run_population`, on one runtime: none for the baseline,
    else the miner and, for an arm that learns the NLU, the retrain behind the lab's gate. One
    job is shared by the runtime's runs, so each learning run starts from the base model; a
    baseline run after one gets the base model back too."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self._nightly: Any = None

    def of(self, arm: str, without: Sequence[str] = ()) -> dict[str, Any]:
        from assistant.learning.config import Arm
        from simulator.population.run import default_miner

        if arm == "baseline":
            if self._nightly is not None:
                self._nightly.prepare()
                self.runtime.reload_if_replaced()
            return {"miner": None}
        if not Arm(arm).flags.nlu_learning or "nlu_learning" in without:
            return {"miner": default_miner}
        if self._nightly is None:
            from lab.evaluation.gate import judge_candidate
            from simulator.population.nightly import NightlyLearning

            self._nightly = NightlyLearning(self.runtime, judge=judge_candidate)
        return {"miner": default_miner, "nightly": self._nightly}
