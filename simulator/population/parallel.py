"""Arms side by side on the machine's cores: one worker process per core, each in its own data folder.

The arms of a run are independent by design: each starts from a clean learning state, the same
users, homes, goals and noise, and the model trained on `stories/` alone. So they can be played at
the same time. The arms are dealt to the workers in a fixed order (round robin), and each worker
plays its own arms one after another, as the one-process run does. Each worker starts from a copy
of the data folder's model (and its training caches) in ``DATA/simulate/worker-K``, with its own
stores and its own action server. Nothing a worker does reaches the data folder's own model or
stores. The speech channel's cache of heard results (``DATA/speech/heard.db``) is shared.

Each worker plays the same Rasa model, actions and stores as a served turn. Only the wall clock
changes: the arms' figures are those of the one-process run, which a test checks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue as queue_module
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

# What a worker copies from the data folder: the model, and the caches that spare it a retrain.
COPIED = ("models", "rasa-cache")
COPIED_GLOBS = ("training-vectors-*.db",)
WORKERS_FOLDER = "simulate"
# A worker is one core's work: its numeric libraries (and the trainings and gates it starts) keep to
# one thread, so two workers' retrains don't fight over the cores (OpenMP's waiting threads made a
# shared core many times slower). A count the user set is kept.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Options a worker needs from the command line (plain values, so they cross the process boundary).
OPTION_TYPES = (str, int, float, bool, type(None), list, tuple, Path)

ArmProgress = Callable[[str, int, int], None]


class WorkerFailed(RuntimeError):
    """A worker process stopped without its arms' figures (its reason, or its exit code)."""


@dataclass(frozen=True)
class Plan:
    """Which arms each worker plays, in order, and in which folder."""

    groups: tuple[tuple[str, ...], ...]
    folders: tuple[Path, ...]


def deal(arms: Sequence[str], workers: int) -> tuple[tuple[str, ...], ...]:
    """The arms dealt round robin to at most ``workers`` workers (none left empty)."""
    count = max(1, min(workers, len(arms)))
    return tuple(tuple(arms[k::count]) for k in range(count))


def default_workers(arms: Sequence[str]) -> int:
    """One worker per core, at most one per arm."""
    return max(1, min(os.cpu_count() or 1, len(arms)))


def plan(arms: Sequence[str], workers: int, data_root: Path) -> Plan:
    groups = deal(arms, workers)
    base = Path(data_root) / WORKERS_FOLDER
    return Plan(groups, tuple(base / f"worker-{k}" for k in range(len(groups))))


def prepare_folder(data_root: Path, folder: Path) -> None:
    """A fresh worker folder holding a copy of the data folder's model and training caches."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in COPIED:
        source = Path(data_root) / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
    for pattern in COPIED_GLOBS:
        for source in Path(data_root).glob(pattern):
            shutil.copy2(source, folder / source.name)


def plain_options(args: argparse.Namespace) -> dict[str, Any]:
    """The command line's options a worker rebuilds its `argparse.Namespace` from."""
    return {key: value for key, value in vars(args).items() if isinstance(value, OPTION_TYPES)}


def _worker(options: dict[str, Any], index: int, arms: tuple[str, ...], judge: Any, events: Any) -> None:
    """A worker process: plays ``arms`` (``judge``: the nightly retrains' gate, a module-level
    function, which crosses the process boundary by name) and sends ("progress", index, arm, done, total)
    events, then ("done", index, figures) or ("failed", index, reason). With ``options["shard"]`` it
    plays that shard's users and sends its `RunReport`s instead of figures."""
    from simulator.population.command import play_arms, play_reports

    sys.stdout = open(os.devnull, "w")   # the parent draws the progress bars

    def progress(arm: str, done: int, total: int) -> None:
        events.put(("progress", index, arm, done, total))

    args = argparse.Namespace(**options)
    play = play_reports if options.get("shard") else play_arms
    try:
        played, _ = play(args, list(arms), judge=judge, watch=lambda: contextlib.nullcontext(progress))
    except Exception as error:   # the parent reports it in one line; a worker has no console of its own
        import traceback

        where = f"\n{traceback.format_exc()}" if options.get("verbose") else ""
        events.put(("failed", index, f"{type(error).__name__}: {error}{where}"))
        return
    events.put(("done", index, played))


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set (what was there before is put back)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_workers(args: argparse.Namespace, arms: Sequence[str], workers: int, progress: ArmProgress,
                judge: Any = None) -> list[dict[str, Any]]:
    """Play ``arms`` in ``workers`` processes; the figures in the order of ``arms``. ``judge``: the
    nightly retrains' gate (`simulator.population.command.run_simulate_population`'s).

    Raises:
        WorkerFailed: a worker stopped without its figures.
    """
    from assistant.paths import DataDir

    root = DataDir(args.data_dir).root
    layout = plan(arms, workers, root)
    results = _run(args, root, layout, [{}] * len(layout.groups), lambda _, arm, done, total: progress(arm, done, total),
                   judge)
    by_arm = {figures["arm"]: figures for group in results.values() for figures in group}
    return [by_arm[arm] for arm in arms]


def run_shards(args: argparse.Namespace, arm: str, shards: int, progress: ArmProgress, judge: Any = None) -> Any:
    """Play one arm's users in ``shards`` processes (user k in shard k mod ``shards``; an arm of
    `simulator.population.run.SHARDABLE`); the `RunReport` of the whole population, as one process
    would have played it (`merge_reports`)."""
    from assistant.paths import DataDir
    from simulator.population.run import merge_reports
    from simulator.population.users import generate_population

    root = DataDir(args.data_dir).root
    base = Path(root) / WORKERS_FOLDER
    layout = Plan(((arm,),) * shards, tuple(base / f"worker-{k}" for k in range(shards)))
    counts = [(0, 0)] * shards

    def each(index: int, name: str, done: int, total: int) -> None:
        counts[index] = (done, total)
        progress(name, sum(d for d, _ in counts), args.users * args.days)

    results = _run(args, root, layout, [{"shard": [k, shards]} for k in range(shards)], each, judge)
    return merge_reports([results[k][0] for k in range(shards)],
                         [user.user_id for user in generate_population(args.users, args.seed)])


def _run(args: argparse.Namespace, root: Path, layout: Plan, extra: Sequence[dict[str, Any]],
         progress: Callable[[int, str, int, int], None], judge: Any) -> dict[int, Any]:
    """Start a worker per group of ``layout`` (with its ``extra`` options) and wait for them: what
    each sent, by worker."""
    import multiprocessing

    for folder in layout.folders:
        prepare_folder(root, folder)
    context = multiprocessing.get_context("spawn")   # no TensorFlow state carried into a fork
    events = context.Queue()
    processes = []
    # What a spawned worker starts with (a thread count set by the user stays).
    threads = {name: value for name, value in ONE_THREAD.items() if name not in os.environ}
    with _environment(threads if len(layout.groups) > 1 else {}):
        for index, (group, folder) in enumerate(zip(layout.groups, layout.folders)):
            options = {**plain_options(args), "data_dir": folder, "speech_cache_dir": root, **extra[index]}
            process = context.Process(target=_worker, args=(options, index, group, judge, events), daemon=True)
            process.start()
            processes.append(process)
    results: dict[int, Any] = {}
    try:
        while len(results) < len(processes):
            try:
                event = events.get(timeout=0.5)
            except queue_module.Empty:
                for index, process in enumerate(processes):
                    if index not in results and not process.is_alive() and events.empty():
                        raise WorkerFailed(f"worker {index} ({', '.join(layout.groups[index])}) stopped "
                                           f"with exit code {process.exitcode}") from None
                continue
            if event[0] == "progress":
                progress(event[1], event[2], event[3], event[4])
            elif event[0] == "failed":
                raise WorkerFailed(f"worker {event[1]} ({', '.join(layout.groups[event[1]])}): {event[2]}")
            else:
                results[event[1]] = event[2]
    finally:
        for process in processes:
            process.join(timeout=5 if len(results) == len(processes) else 0.1)
            if process.is_alive():
                process.terminate()
    return results
