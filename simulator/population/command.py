"""`assistant simulate --users N --days D --seed S --arm ARM|all [--json OUT] [--plot OUT.png] [--bench]`.

Runs one arm, or every arm in one process (one model load), shows progress bars, prints the
figures side by side with each arm's defect-rate reduction against the baseline, and writes
JSON and a PNG of the defect rate per day.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from functools import partial
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator

from simulator.population.metrics import layer_records
from simulator.population.parallel import ArmProgress
from simulator.population.run import ARMS

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

ROWS = (
    ("turns", "turns", "{}"),
    ("goals", "goals", "{}"),
    ("task_success_rate", "task success", "{:.3f}"),
    ("defect_rate", "defect rate", "{:.3f}"),
    ("defect_reduction", "defect reduction vs baseline", "{:+.1%}"),
    ("request_defect_rate", "request defect rate", "{:.3f}"),
    ("turns_per_goal", "turns per goal", "{:.2f}"),
    ("rewrite_wins", "rewrite wins", "{}"),
    ("rewrite_losses", "rewrite losses", "{}"),
    ("teachable_precision", "teachable precision", "{:.3f}"),
    ("teachable_recall", "teachable recall", "{:.3f}"),
    ("teachable_moment_precision", "teaching offers at moments (precision)", "{:.3f}"),
    ("teachable_moment_recall", "teachable moments offered (recall)", "{:.3f}"),
    ("teachable_moment_precision_strict", "... precision, closing repeats no moment (before stop 41)", "{:.3f}"),
    ("offers_per_user_day", "offers to learn per user-day", "{:.2f}"),
    ("result_failures", "result failures", "{}"),
    ("preference_capture_accuracy", "preference capture", "{:.3f}"),
    ("give_up_rate", "give-up rate", "{:.3f}"),
    ("real_phrasing_share", "goals opened with a real sentence", "{:.3f}"),
    ("nlu_failure_share", "defects at NLU (share)", "{:.3f}"),
    ("in_scope_success", "in-scope success", "{:.3f}"),
    ("out_of_scope_handled", "out of scope refused", "{:.3f}"),
    ("learned_examples", "learned NLU examples", "{}"),
    ("label_precision", "learned label precision", "{:.3f}"),
    ("label_recall", "learned label recall", "{:.3f}"),
    ("nlu_accuracy_first", "held-out NLU accuracy, day 1", "{:.3f}"),
    ("nlu_accuracy_last", "held-out NLU accuracy, last day", "{:.3f}"),
    ("word_error_rate", "word error rate", "{:.3f}"),
    ("turns_per_second", "turns / s", "{:.1f}"),
)


def _stderr(message: str) -> int:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    return EXIT_USAGE


def validate(args: argparse.Namespace) -> str | None:
    """The problem with the arguments, or None."""
    if args.users is None or args.days is None or args.seed is None or args.arm is None:
        return "a population run needs --users N --days D --seed S --arm ARM (or --scenario FILE)"
    if args.users < 1:
        return f"--users must be at least 1 (got {args.users})"
    if args.days < 1:
        return f"--days must be at least 1 (got {args.days})"
    if getattr(args, "workers", None) is not None and args.workers < 1:
        return f"--workers must be at least 1 (got {args.workers})"
    if args.arm != "all" and args.arm not in ARMS:
        return f"unknown arm {args.arm!r}; choose one of {', '.join(ARMS)} or all"
    for flag in ("json", "plot"):
        value = getattr(args, flag, None)
        if value and Path(value).is_dir():
            return f"--{flag} {value} is a directory; give a file name"
    if getattr(args, "plot", None) and not str(args.plot).lower().endswith(".png"):
        return f"--plot wants a .png file name (got {args.plot})"
    if not 0.0 <= float(getattr(args, "adversaries", 0.0) or 0.0) <= 1.0:
        return f"--adversaries must be a share within 0..1 (got {args.adversaries})"
    return None


def _adversary_config(args: argparse.Namespace) -> Any:
    """The adversaries from the options (--adversaries F --adversary-kind K), or None."""
    fraction = float(getattr(args, "adversaries", 0.0) or 0.0)
    if fraction <= 0:
        return None
    from simulator.population.adversary import AdversaryConfig, AdversaryKind

    return AdversaryConfig(fraction, AdversaryKind(getattr(args, "adversary_kind", None) or "rewrite"))


def render(figures: list[dict[str, Any]], console: Any) -> None:
    """The figures of each arm side by side."""
    from rich.table import Table

    first = figures[0]
    table = Table(title=f"Population run: {first['users']} users x {first['days']} days, seed {first['seed']}, "
                        f"{first.get('phrasing', 'templates')} phrasing, heard through {first.get('asr', 'confusions')}")
    table.add_column("measure")
    for run in figures:
        table.add_column(run["arm"], justify="right")
    for key, label, fmt in ROWS:
        cells = []
        for run in figures:
            value = _cell(run, key)
            cells.append("-" if value is None else fmt.format(value))
        table.add_row(label, *cells)
    console.print(table)
    for run in figures:
        points = ", ".join(f"{k} {v}" for k, v in run.get("failure_points", {}).items())
        console.print(f"[dim]{run['arm']}: failure points of defective turns: {points or 'none'}[/]", soft_wrap=True)
        layers = ", ".join(f"{layer} {won}:{lost}" for layer, (won, lost) in layer_records(run).items())
        console.print(f"[dim]{run['arm']}: wins:losses by layer: {layers}[/]", soft_wrap=True)
    hearing(figures[0], console)
    for run in figures:
        for note in run.get("notes", [])[-2:]:
            console.print(f"[dim]{run['arm']}: {note}[/]", soft_wrap=True)


SLURP = "SLURP's recordings: WER 0.081 (far-field 0.101, close-talk 0.061), 0.296 with an error, entity WER 0.119"


def hearing(run: dict[str, Any], console: Any) -> None:
    """How users were heard (the first arm's run; every arm hears the same first turns)."""
    errors = run.get("word_errors") or {}
    if run.get("word_error_rate") is None:
        return
    classes = errors.get("class_error_rate") or {}
    deciles = ", ".join("-" if d is None else f"{d:.2f}" for d in errors.get("by_user_decile", []))
    devices = ", ".join(f"{d} {'-' if r is None else f'{r:.3f}'}" for d, r in (errors.get("by_device") or {}).items())
    console.print(
        f"Heard through {run.get('asr')}: WER {run['word_error_rate']:.3f}, "
        f"{errors.get('utterances_with_error') or 0:.3f} of utterances with an error "
        f"({errors.get('substitutions')} substituted, {errors.get('deletions')} deleted, "
        f"{errors.get('insertions')} inserted words); error rate by word: "
        + ", ".join(f"{c} {'-' if v is None else f'{v:.3f}'}" for c, v in classes.items())
        + f"\n  by device: {devices}\n  by user decile (easiest first): {deciles}\n  {SLURP}",
        soft_wrap=True, highlight=False, markup=False)


def _cell(run: dict[str, Any], key: str) -> Any:
    by_day = run.get("nlu_accuracy_by_day") or []
    if key == "nlu_accuracy_first":
        return by_day[0] if by_day else None
    if key == "nlu_accuracy_last":
        return by_day[-1] if by_day else None
    return run.get(key)


def _nightly(runtime: Any, arms: list[str], console: Any, judge: Any = None) -> Any:
    """The nightly self-learning job shared by the arms (None when no arm learns the NLU);
    ``judge``: the gate its retrains pass (`assistant.modelstore.retrain.Judge`)."""
    from assistant.learning.config import Arm

    if not any(Arm(arm).flags.nlu_learning for arm in arms):
        return None
    from simulator.population.nightly import NightlyError, NightlyLearning
    from simulator.population.run import PopulationError

    try:
        job = NightlyLearning(runtime, judge=judge)
    except NightlyError as error:
        raise PopulationError(str(error)) from error
    console.print("[dim]Arms that learn the NLU retrain this data folder's model each night; every arm starts "
                  "from the model trained on stories/ alone, and the last promoted one stays "
                  "(`assistant models` to roll back).[/]", soft_wrap=True)
    return job


def _asr_config(args: argparse.Namespace) -> Any:
    """The ASR channel's settings from the options (--asr-confidence)."""
    from simulator.population.asr import AsrConfig

    return AsrConfig(confidence_from_damage=getattr(args, "asr_confidence", "damage") != "independent")


def asr_mode(args: argparse.Namespace) -> str:
    """``--asr``; a population run is heard through speech unless told otherwise."""
    return getattr(args, "asr", None) or "speech"


def _channel(args: argparse.Namespace) -> Any:
    """The channel of ``--asr`` (speech loads its TTS and recogniser here, before any run). Its cache
    of heard results lives in the data folder (a worker's: in the folder it was copied from)."""
    from assistant.paths import DEFAULT_DATA_DIR
    from simulator.population.channel import make_channel

    folder = getattr(args, "speech_cache_dir", None) or getattr(args, "data_dir", None) or DEFAULT_DATA_DIR
    return make_channel(asr_mode(args), seed=args.seed, data_dir=Path(folder), rates=_asr_config(args))


@contextlib.contextmanager
def arm_bars(console: Any, arms: list[str], total: int) -> Iterator[ArmProgress]:
    """A progress bar per arm; yields ``progress(arm, done, total)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bars:
        tasks = {arm: bars.add_task(f"arm {arm:<9}", total=total) for arm in arms}
        yield lambda arm, done, total: bars.update(tasks[arm], completed=done, total=total)


def play_arms(args: argparse.Namespace, arms: list[str], *, judge: Any = None,
              watch: "Callable[[], ContextManager[ArmProgress | None]]" = lambda: contextlib.nullcontext(None),
              channel: Any = None, console: Any = None,
              phrasing: "tuple[Any, Any] | None" = None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Play ``arms`` one after another in one runtime on ``args.data_dir``: each arm's figures
    (`metrics.summarize`), and with ``--bench`` the bare model's throughput on the last arm's texts.
    ``watch()``, entered once the model is loaded, yields ``progress(arm, done, total)`` (or None),
    called after each user-day. ``phrasing``: the mode and corpus `resolve_phrasing` gave (read
    here when not given).

    Raises:
        PopulationError: the run cannot start or go on (its reason).
    """
    from simulator.population.metrics import summarize

    reports, bench = play_reports(args, arms, judge=judge, watch=watch, channel=channel, console=console,
                                  phrasing=phrasing)
    figures = []
    for report in reports:
        figures.append(summarize(report))
        if report.adversaries:
            figures[-1]["adversaries"] = report.adversaries
    if bench is not None:
        from simulator.population import bench as bench_mod

        bench = bench_mod.compare(figures[-1]["turns_per_second"], bench)
    return figures, bench


def play_reports(args: argparse.Namespace, arms: list[str], *, judge: Any = None,
                 watch: "Callable[[], ContextManager[ArmProgress | None]]" = lambda: contextlib.nullcontext(None),
                 channel: Any = None, console: Any = None,
                 phrasing: "tuple[Any, Any] | None" = None) -> tuple[list[Any], dict[str, Any] | None]:
    """`play_arms`'s runs as `RunReport`s (of the users of ``args.shard``, (k, n), when given), and
    with ``--bench`` the bare model's throughput (`bench.bare_throughput`)."""
    from rich.console import Console

    from assistant.launch import start_runtime as _start_runtime
    from simulator.population.run import PopulationError, resolve_phrasing, run_population
    from simulator.speech.engine import SpeechUnavailable

    console = console or Console(highlight=False)
    mode, real = phrasing or resolve_phrasing(getattr(args, "phrasing", None) or "real", None)
    if channel is None:
        try:
            channel = _channel(args)
        except SpeechUnavailable as error:
            raise PopulationError(str(error)) from error
    reports = []
    bench: dict[str, Any] | None = None
    shard = tuple(getattr(args, "shard", None) or (0, 1))
    with _start_runtime(args) as runtime:
        template = runtime.home.snapshot()
        nightly = _nightly(runtime, arms, console, judge)
        with watch() as progress:
            for arm in arms:
                reports.append(run_population(
                    runtime, users=args.users, days=args.days, seed=args.seed, arm=arm,
                    home_template=template, asr_config=_asr_config(args), channel=channel,
                    adversary=_adversary_config(args), phrasing=mode, real=real, nightly=nightly,
                    progress=None if progress is None else partial(progress, arm),
                    without=getattr(args, "without", None) or (), shard=(int(shard[0]), int(shard[1]))))
        if nightly is not None:
            nightly.discard_base()
        if getattr(args, "bench", False):
            from simulator.population import bench as bench_mod

            with console.status("Timing the bare Rasa model on the same texts..."):
                bench = bench_mod.bare_throughput(runtime, bench_mod.logged_texts(runtime))
    return reports, bench


def workers_for(args: argparse.Namespace, arms: list[str]) -> int:
    """How many worker processes play the arms: ``--workers``, by default one per core (at most
    one per arm); one with ``--bench`` (it times the bare model in the run's own process)."""
    from simulator.population.parallel import default_workers

    if getattr(args, "bench", False) or len(arms) < 2:
        return 1
    asked = getattr(args, "workers", None)
    return default_workers(arms) if asked is None else max(1, min(asked, len(arms)))


def shards_for(args: argparse.Namespace, arms: list[str]) -> int:
    """How many processes play one arm's users: ``--workers N`` for a single arm whose users learn
    nothing from each other (`run.SHARDABLE`), with no adversaries, no layer off and no ``--bench``;
    else one."""
    from simulator.population.run import SHARDABLE

    asked = getattr(args, "workers", None) or 1
    plain = not (getattr(args, "bench", False) or float(getattr(args, "adversaries", 0.0) or 0.0) > 0
                 or getattr(args, "without", None))
    return max(1, min(asked, args.users)) if len(arms) == 1 and arms[0] in SHARDABLE and plain else 1


def run_simulate_population(args: argparse.Namespace, judge: Any = None) -> int:
    """The CLI entry point; returns the exit status. ``judge``: the gate the nightly retrains
    pass (the CLI gives the lab's; an arm that learns the NLU needs one)."""
    import time

    from rich.console import Console

    from simulator.population.metrics import reduction
    from simulator.population.parallel import WORKERS_FOLDER
    from simulator.population.run import PopulationError, resolve_phrasing

    problem = validate(args)
    if problem:
        return _stderr(problem)
    try:  # the corpus is read and checked before the model loads: a bad file stops nothing half-way
        phrasing, real = resolve_phrasing(getattr(args, "phrasing", None) or "real", None)
    except PopulationError as error:
        return _stderr(str(error))
    arms = list(ARMS) if args.arm == "all" else [args.arm]
    workers = max(workers_for(args, arms), shards_for(args, arms))
    console = Console(highlight=False)
    from simulator.speech.engine import SpeechUnavailable

    channel = None
    if workers == 1:
        try:  # the TTS and the recogniser load before the model: a missing package stops nothing half-way
            channel = _channel(args)
        except SpeechUnavailable as error:
            return _stderr(str(error))
    started = time.perf_counter()
    total = args.users * args.days
    try:
        if workers == 1:
            figures, bench = play_arms(args, arms, judge=judge, channel=channel, console=console,
                                       watch=lambda: arm_bars(console, arms, total), phrasing=(phrasing, real))
        else:
            from assistant.launch import ensure_model
            from simulator.population.parallel import WorkerFailed, run_workers

            ensure_model(args)
            what = f"{len(arms)} arms" if len(arms) > 1 else f"the {arms[0]} arm's users"
            console.print(f"[dim]{what} in {workers} worker processes, each on a copy of this data "
                          f"folder's model (in its {WORKERS_FOLDER}/ folder).[/]", soft_wrap=True)
            try:
                with arm_bars(console, arms, total) as progress:
                    if len(arms) > 1:
                        figures, bench = run_workers(args, arms, workers, progress, judge), None
                    else:
                        from simulator.population.metrics import summarize
                        from simulator.population.parallel import run_shards

                        figures, bench = [summarize(run_shards(args, arms[0], workers, progress, judge))], None
            except WorkerFailed as error:
                raise PopulationError(str(error)) from error
    except PopulationError as error:
        return _stderr(str(error))
    wall = time.perf_counter() - started
    baseline = next((f for f in figures if f["arm"] == "baseline"), None)
    for run in figures:
        run["defect_reduction"] = reduction(baseline, run) if baseline else None
    render(figures, console)
    for run in figures:
        harm = run.get("adversaries")
        if harm:
            console.print(f"{run['arm']}: {len(harm['adversaries'])} {harm['adversary_kind']} adversaries "
                          f"({harm['attack_turns']} attack turns): {harm['harmful_global_pairs']} harmful global "
                          f"pairs, {harm['harmed_victim_turns']} harmed of {harm['victim_turns']} victim turns "
                          f"({harm['rewritten_victim_turns']} rewritten)")
    if bench:
        console.print(f"Throughput ({figures[-1]['arm']} arm): {bench['full_turns_per_second']} simulated turns/s "
                      f"through the full stack; bare Rasa Agent.handle_text {bench['bare_turns_per_second']} "
                      f"turns/s on {bench['bare_turns']} of the same texts; ratio {bench['full_to_bare_ratio']}")
    turns = sum(run["turns"] for run in figures)
    console.print(f"{turns} simulated turns in {wall:.1f} s ({turns / wall:.1f} turns/s, {workers} "
                  f"process{'es' if workers > 1 else ''}, model loads included)")
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = dict(figures[0]) if len(figures) == 1 else {
            "arm": "all", "users": args.users, "days": args.days, "seed": args.seed, "phrasing": phrasing.value,
            "asr": figures[0]["asr"],
            "arms": {run["arm"]: run for run in figures},
            "defect_rate_reduction_vs_baseline": {run["arm"]: run["defect_reduction"] for run in figures},
            "workers": workers, "run_seconds": round(wall, 2),
        }
        if bench:
            payload["bench"] = bench
        out.write_text(json.dumps(payload, indent=2) + "\n")
        console.print(f"Wrote {out}")
    if args.plot:
        from simulator.population.plot import plot_defects

        console.print(f"Wrote {plot_defects(figures, Path(args.plot))}")
    return EXIT_OK
