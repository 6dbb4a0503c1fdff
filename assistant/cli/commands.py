"""The `assistant` commands, one function each (`cmd_<name>(args) -> exit code`).

Each reads its parsed arguments and calls the package that does the work; the heavy imports
happen inside the function, so `assistant --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from assistant.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, load_home, make_console, print_error
from assistant.launch import ensure_model as _ensure_model
from assistant.launch import start_runtime as _start_runtime
from assistant.launch import train
from assistant.paths import PROJECT_ROOT, DataDir


def cmd_train(args: argparse.Namespace) -> int:
    return train(args)


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.chat import run_chat

    home = load_home(args.home)
    if args.device not in home.devices:
        return print_error(f"no device {args.device!r} in the home; try one of: "
                      + ", ".join(sorted(d.id for d in home.devices.values() if d.can_speak)))
    with _start_runtime(args, home) as runtime:
        return run_chat(runtime, user_id=args.user, device_id=args.device,
                        data_dir=Path(args.data_dir))


def cmd_demo(args: argparse.Namespace) -> int:
    from assistant.chat.demo import run_demo

    with _start_runtime(args) as runtime:
        return run_demo(runtime)


def cmd_simulate(args: argparse.Namespace) -> int:
    from simulator.scenario import ScenarioError, format_failure, load_scenario, run_scenario

    if not args.scenario:
        from lab.evaluation.gate import judge_candidate
        from simulator.population.command import run_simulate_population

        return run_simulate_population(args, judge=judge_candidate)   # the nightly retrains' gate
    try:
        scenario = load_scenario(Path(args.scenario))
    except ScenarioError as error:
        return print_error(str(error))
    console = make_console()
    channel = None
    if getattr(args, "asr", None):   # heard through a channel; without --asr, words as written
        from simulator.population.channel import make_channel
        from simulator.speech.engine import SpeechUnavailable

        try:
            channel = make_channel(args.asr, seed=args.seed or 0, data_dir=DataDir(args.data_dir).root)
        except SpeechUnavailable as error:
            return print_error(str(error))
    with _start_runtime(args) as runtime:
        report = run_scenario(scenario, runtime, preferences=runtime.preference,
                              forget=runtime.preferences.forget, channel=channel, seed=args.seed or 0)
    for failure in report.failures:
        console.print(f"[red]FAIL[/] {format_failure(failure)}", soft_wrap=True)
    console.print(f"{report.passed} passed, {report.failed} failed ({report.turns} turns)")
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2))
    return EXIT_OK if report.failed == 0 else EXIT_FAIL


def _cmd_compare_nlu(args: argparse.Namespace) -> int:
    from lab.evaluation import compare

    console = make_console()
    configs = [Path(c) for c in args.compare]
    missing = [str(c) for c in configs if not (PROJECT_ROOT / c).exists() and not c.exists()]
    if missing:
        return print_error(f"no such config: {', '.join(missing)}")
    if not Path(args.slurp).exists():
        return print_error(f"no SLURP file at {args.slurp}")
    hwu64 = Path(args.hwu64) if args.hwu64 and Path(args.hwu64).exists() else None
    with console.status("Comparing...") as status:
        results = compare.compare([c.resolve() for c in configs], Path(args.slurp).resolve(),
                                  hwu64.resolve() if hwu64 else None,
                                  status=lambda text: status.update(text))
    compare.render(results, console)
    if args.json:
        Path(args.json).write_text(json.dumps(compare.to_json(results), indent=2) + "\n")
    return EXIT_OK if all(r.error is None for r in results) else EXIT_FAIL


def cmd_eval_nlu(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from lab.evaluation import eval_nlu

    if args.compare:
        return _cmd_compare_nlu(args)
    _ensure_model(args)
    console = make_console()
    try:
        examples = eval_nlu.load_slurp(Path(args.slurp))
        mapping = eval_nlu.load_mapping()
    except (eval_nlu.SlurpFileError, eval_nlu.MappingError, OSError) as error:
        console.print(f"[red]{error}[/]")
        return EXIT_USAGE
    with console.status("Loading the model..."):
        parser = eval_nlu.rasa_parser(DataDir(args.data_dir).model_file, verbose=args.verbose)
    with parser, Progress(console=console, transient=True) as bar:
        task = bar.add_task("Parsing", total=None)
        report = eval_nlu.evaluate(
            examples, mapping, parser, include_out_of_scope=args.include_out_of_scope,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    eval_nlu.render_report(report, console)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return EXIT_OK


def cmd_eval_teachable(args: argparse.Namespace) -> int:
    from rich.progress import Progress
    from rich.table import Table

    from assistant.similarity import minilm_similarity
    from lab.evaluation import teachable as ev

    try:
        requests = ev.load_requests(Path(args.slurp))
    except (OSError, ValueError, KeyError) as error:
        return print_error(f"could not read {args.slurp}: {error}")
    pairs = ev.make_pairs(requests, args.pairs, args.seed)
    console = make_console()
    minilm_similarity([("warm up", "the model")])
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Detecting repeats", total=len(pairs))
        report = ev.evaluate(pairs, minilm_similarity, seed=args.seed,
                             progress=lambda done, total: bar.update(task, completed=done))
    table = Table(title=f"Repeat detection on {report.pairs} SLURP pairs (seed {report.seed})")
    for column in ("precision", "recall", "F1", "TP", "FP", "FN", "TN", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right")
    table.add_row(*(str(v) for v in (report.precision, report.recall, report.f1, report.true_positives,
                                     report.false_positives, report.false_negatives, report.true_negatives,
                                     report.detect_p50_ms, report.detect_p95_ms)))
    console.print(table)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from lab.evaluation import bench

    _ensure_model(args)
    result = bench.run(DataDir(args.data_dir), repeats=args.repeats, console=make_console(),
                       verbose=args.verbose, startup=not args.no_startup,
                       reference=not args.no_reference, train=args.train,
                       conversation_turns=args.conversation_turns)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return EXIT_OK


def cmd_test_stories(args: argparse.Namespace) -> int:
    from lab.evaluation.gate import TEST_STORIES  # the lab's copy of tests/test_stories

    _ensure_model(args)
    data = DataDir(args.data_dir)
    out = data.root / "test-stories-results"
    cmd = [sys.executable, "-m", "rasa", "test", "core", "--model", str(data.model_file),
           "--stories", str(TEST_STORIES), "--fail-on-prediction-errors", "--out", str(out)]
    return subprocess.call(cmd, cwd=PROJECT_ROOT)


def cmd_rasa_shell(args: argparse.Namespace) -> int:
    from assistant.action_server import ActionServer

    _ensure_model(args)
    data = DataDir(args.data_dir).ensure()
    server = ActionServer.for_data(data).start()
    endpoints = data.root / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: \"{server.webhook}\"\n")
    try:
        return subprocess.call([sys.executable, "-m", "rasa", "shell", "--model",
                                str(data.model_file), "--endpoints", str(endpoints)],
                               cwd=PROJECT_ROOT)
    finally:
        server.stop()


def cmd_prefs(args: argparse.Namespace) -> int:
    from rich.table import Table

    from assistant.prefs.store import PreferenceStore

    if not args.user:
        return print_error("say whose preferences: `assistant prefs --user ID`")
    data = DataDir(args.data_dir)
    with PreferenceStore.open(data.prefs_url) as store:
        prefs = store.get(args.user)
    rows = [{"key": p.key.value, "value": p.value, "polarity": p.polarity.value,
             "source": p.source.value, "confidence": p.confidence,
             "updated_at": p.updated_at.isoformat(timespec="seconds")} for p in prefs]
    if args.json:
        Path(args.json).write_text(json.dumps({"user": args.user, "preferences": rows}, indent=2) + "\n")
    console = make_console()
    if not rows:
        console.print(f"No preferences stored for {args.user!r}.")
        return EXIT_OK
    table = Table(title=f"Preferences of {args.user}")
    for column in ("key", "value", "polarity", "source", "confidence", "updated_at"):
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(f"{row[c]:.2f}" if c == "confidence" else str(row[c])
                        for c in ("key", "value", "polarity", "source", "confidence", "updated_at")))
    console.print(table)
    return EXIT_OK


def cmd_mine(args: argparse.Namespace) -> int:
    from assistant.learning.commands import run_mine

    return run_mine(args)


def cmd_fuzz(args: argparse.Namespace) -> int:
    from lab.evaluation.fuzz import command

    _ensure_model(args)
    return command(args)


def cmd_rewrites(args: argparse.Namespace) -> int:
    from assistant.learning.commands import run_rewrites

    return run_rewrites(args)


def cmd_analyze(args: argparse.Namespace) -> int:
    from assistant.analytics.command import run_analyze
    from simulator.truth_store import attach_beside

    # The command line is the one place that sees both sides: the simulator's truth, kept
    # beside the log, is joined onto the records here (the product's log has none).
    return run_analyze(args, attach_truth=attach_beside)


def cmd_learn_nlu(args: argparse.Namespace) -> int:
    import functools

    from assistant.modelstore import retrain
    from assistant.selflearn.command import run_learn_nlu
    from lab.evaluation.gate import judge_candidate

    # The retrain behind the lab's gate: the judge of a retrained candidate.
    return run_learn_nlu(args, retrain=functools.partial(retrain.retrain, judge=judge_candidate))


def cmd_models(args: argparse.Namespace) -> int:
    from assistant.modelstore.command import run_models

    return run_models(args)


def cmd_infer(args: argparse.Namespace) -> int:
    from assistant.cli.habits import run_infer

    return run_infer(args)


def cmd_habits(args: argparse.Namespace) -> int:
    from assistant.cli.habits import run_habits

    return run_habits(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.service.commands import run_serve

    return run_serve(args)


def cmd_tokens(args: argparse.Namespace) -> int:
    from assistant.service.commands import run_tokens

    return run_tokens(args)


def cmd_bench_serve(args: argparse.Namespace) -> int:
    from assistant.cli.common import lab_extra_error, missing_lab_extra

    if missing := missing_lab_extra():
        return lab_extra_error(args.command, missing)
    from lab.evaluation.serve_load import run

    return run(args)


def cmd_build_models(args: argparse.Namespace) -> int:
    from lab.shipped import run

    return run(args)


def cmd_not_yet(args: argparse.Namespace) -> int:
    return print_error(f"`assistant {args.command}` is not available in this version yet.")
