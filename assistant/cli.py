"""The `assistant` command: chat, demo, train, simulate, eval-nlu, bench and friends.

Command names and options follow the command-line contract in DESIGN.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

from assistant.launch import ensure_model as _ensure_model
from assistant.launch import start_runtime as _start_runtime
from assistant.launch import train
from assistant.paths import DEFAULT_DATA_DIR, PROJECT_ROOT, DataDir

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def _error(message: str) -> int:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    return EXIT_FAIL


def _load_home(path: str | None):
    from assistant.home import Home

    return Home.load(Path(path)) if path else Home.default()


# -- commands --------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    return train(args)


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.chat import run_chat

    home = _load_home(args.home)
    if args.device not in home.devices:
        return _error(f"no device {args.device!r} in the home; try one of: "
                      + ", ".join(sorted(d.id for d in home.devices.values() if d.can_speak)))
    with _start_runtime(args, home) as runtime:
        return run_chat(runtime, user_id=args.user, device_id=args.device,
                        data_dir=Path(args.data_dir))


def cmd_demo(args: argparse.Namespace) -> int:
    from assistant.demo import run_demo

    with _start_runtime(args) as runtime:
        return run_demo(runtime)


def cmd_simulate(args: argparse.Namespace) -> int:
    from simulator.scenario import ScenarioError, format_failure, load_scenario, run_scenario

    if not args.scenario:
        from simulator.population.command import run_simulate_population

        return run_simulate_population(args)
    try:
        scenario = load_scenario(Path(args.scenario))
    except ScenarioError as error:
        return _error(str(error))
    console = _console()
    with _start_runtime(args) as runtime:
        report = run_scenario(scenario, runtime, preferences=runtime.preference,
                              forget=runtime.preferences.forget)
    for failure in report.failures:
        console.print(f"[red]FAIL[/] {format_failure(failure)}", soft_wrap=True)
    console.print(f"{report.passed} passed, {report.failed} failed ({report.turns} turns)")
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2))
    return EXIT_OK if report.failed == 0 else EXIT_FAIL


def _cmd_compare_nlu(args: argparse.Namespace) -> int:
    from assistant.evaluation import compare

    console = _console()
    configs = [Path(c) for c in args.compare]
    missing = [str(c) for c in configs if not (PROJECT_ROOT / c).exists() and not c.exists()]
    if missing:
        return _error(f"no such config: {', '.join(missing)}")
    if not Path(args.slurp).exists():
        return _error(f"no SLURP file at {args.slurp}")
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

    from assistant import eval_nlu

    if args.compare:
        return _cmd_compare_nlu(args)
    _ensure_model(args)
    console = _console()
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

    from assistant import eval_teachable as ev

    try:
        requests = ev.load_requests(Path(args.slurp))
    except (OSError, ValueError, KeyError) as error:
        return _error(f"could not read {args.slurp}: {error}")
    pairs = ev.make_pairs(requests, args.pairs, args.seed)
    console = _console()
    ev.minilm_similarity("warm up", ["the model"])
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Detecting repeats", total=len(pairs))
        report = ev.evaluate(pairs, ev.minilm_similarity, seed=args.seed,
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
    from assistant import bench

    _ensure_model(args)
    result = bench.run(DataDir(args.data_dir), repeats=args.repeats, console=_console(),
                       verbose=args.verbose, startup=not args.no_startup,
                       reference=not args.no_reference, train=args.train)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return EXIT_OK


def cmd_test_stories(args: argparse.Namespace) -> int:
    _ensure_model(args)
    data = DataDir(args.data_dir)
    out = data.root / "test-stories-results"
    cmd = [sys.executable, "-m", "rasa", "test", "core", "--model", str(data.model_file),
           "--stories", "tests/test_stories", "--fail-on-prediction-errors", "--out", str(out)]
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
        return _error("say whose preferences: `assistant prefs --user ID`")
    data = DataDir(args.data_dir)
    with PreferenceStore.open(data.prefs_url) as store:
        prefs = store.get(args.user)
    rows = [{"key": p.key.value, "value": p.value, "polarity": p.polarity.value,
             "source": p.source.value, "confidence": p.confidence,
             "updated_at": p.updated_at.isoformat(timespec="seconds")} for p in prefs]
    if args.json:
        Path(args.json).write_text(json.dumps({"user": args.user, "preferences": rows}, indent=2) + "\n")
    console = _console()
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
    from assistant.fuzz import command

    _ensure_model(args)
    return command(args)


def cmd_rewrites(args: argparse.Namespace) -> int:
    from assistant.learning.commands import run_rewrites

    return run_rewrites(args)


def cmd_analyze(args: argparse.Namespace) -> int:
    from assistant.analytics.command import run_analyze

    return run_analyze(args)


def cmd_learn_nlu(args: argparse.Namespace) -> int:
    from assistant.selflearn.command import run_learn_nlu

    return run_learn_nlu(args)


def cmd_models(args: argparse.Namespace) -> int:
    from assistant.modelstore.command import run_models

    return run_models(args)


def cmd_infer(args: argparse.Namespace) -> int:
    from assistant.habits_command import run_infer

    return run_infer(args)


def cmd_habits(args: argparse.Namespace) -> int:
    from assistant.habits_command import run_habits

    return run_habits(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.service.commands import run_serve

    return run_serve(args)


def cmd_tokens(args: argparse.Namespace) -> int:
    from assistant.service.commands import run_tokens

    return run_tokens(args)


def cmd_bench_serve(args: argparse.Namespace) -> int:
    from assistant.evaluation.serve_load import run

    return run(args)


def cmd_not_yet(args: argparse.Namespace) -> int:
    return _error(f"`assistant {args.command}` is not available in this version yet.")


# -- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help=f"where models and SQLite files live (default {DEFAULT_DATA_DIR})")
    common.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show Rasa's and the action server's logs")
    parser = argparse.ArgumentParser(
        prog="assistant", parents=[common],
        description="A teachable, self-learning smart-home assistant on Rasa.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("chat", cmd_chat, "the interactive terminal chat")
    p.add_argument("--user", default="guest", help="user id (default guest)")
    p.add_argument("--device", default="kitchen_speaker", help="speaking device id")
    p.add_argument("--home", help="a home YAML file (default: the shipped home)")
    add("demo", cmd_demo, "a short scripted conversation, no input needed")
    p = add("train", cmd_train, "train the Rasa model; skipped when nothing changed")
    p.add_argument("--force", action="store_true", help="train even if the model is current")
    from assistant.learning.config import Arm

    p = add("simulate", cmd_simulate, "run a scenario file, or a simulated population (--users --days --seed --arm)")
    p.add_argument("--scenario", help="a scenario YAML file")
    p.add_argument("--json", help="write the results as JSON here")
    for flag in ("--users", "--days", "--seed"):
        p.add_argument(flag, type=int)
    p.add_argument("--arm", choices=[*(arm.value for arm in Arm), "all"],
                   help="the learning arm of a population run; all runs every arm side by side")
    p.add_argument("--plot", help="write a PNG plot here")
    p.add_argument("--bench", action="store_true",
                   help="also time the bare Rasa model on the run's texts (turns/s ratio)")
    p.add_argument("--adversaries", type=float, default=0.0, metavar="FRACTION",
                   help="share of the simulated users who try to poison what is learned (0..1)")
    p.add_argument("--adversary-kind", choices=["rewrite", "label", "both"], default="rewrite",
                   help="what the adversaries attack: the global rewrites, the learned NLU labels, or both")
    p.add_argument("--asr-confidence", choices=["damage", "independent"], default="damage",
                   help="the simulated ASR confidence falls with the damage (default), or is drawn "
                        "independently of it")
    p.add_argument("--phrasing", choices=["real", "templates", "mixed"], default="real",
                   help="what simulated users say: real people's requests (HWU64, default), the team's "
                        "templates, or a share of each per user")
    p = add("eval-nlu", cmd_eval_nlu, "intent accuracy on a SLURP-format file")
    p.add_argument("--slurp", default=str(SHARED_DATA / "slurp" / "devel.jsonl"),
                   help="a SLURP jsonl file (default: the shared SLURP devel set)")
    p.add_argument("--compare", nargs="+", metavar="CONFIG",
                   help="train each Rasa config and print them side by side (accuracy, fallback, "
                        "confidently wrong, out of scope, entity F1, train/load seconds, parse ms)")
    p.add_argument("--hwu64", default=str(SHARED_DATA / "hwu64" / "hwu64.jsonl"),
                   help="HWU64 jsonl for the statements-of-taste figure in --compare")
    p.add_argument("--json", help="write the report as JSON here")
    p.add_argument("--include-out-of-scope", action="store_true",
                   help="also score SLURP intents we map to out_of_scope")
    p = add("eval-teachable", cmd_eval_teachable,
            "precision and recall of repeat detection on SLURP request pairs")
    p.add_argument("--slurp", required=True, help="a SLURP jsonl file")
    p.add_argument("--pairs", type=int, default=300, help="repeats (and as many non-repeats) to draw")
    p.add_argument("--seed", type=int, default=13, help="seed for drawing the pairs")
    p.add_argument("--json", help="write the report as JSON here")
    p = add("fuzz", cmd_fuzz, "hostile input through the full stack: escapes, slow turns, database integrity")
    p.add_argument("--inputs", type=int, default=10_000, help="how many hostile turns (default 10,000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generator")
    p.add_argument("--json", help="write the figures as JSON here")
    p = add("bench", cmd_bench, "turn latency: full stack beside the bare Rasa model")
    p.add_argument("--json", help="write the figures as JSON here")
    p.add_argument("--repeats", type=int, default=3, help="passes over the fixed turns")
    p.add_argument("--train", action="store_true",
                   help="also time rasa train from scratch and after adding 200 examples")
    p.add_argument("--no-startup", action="store_true", help="skip the fresh-process first-turn timing")
    p.add_argument("--no-reference", action="store_true", help="skip the `rasa init` reference bot")
    add("test-stories", cmd_test_stories, "rasa test core on tests/test_stories")
    add("rasa-shell", cmd_rasa_shell, "rasa shell on the trained model, with the action server")
    p = add("prefs", cmd_prefs, "list a user's stored preferences")
    p.add_argument("--user", help="the user id")
    p.add_argument("--json", help="write them as JSON here")
    p = add("mine", cmd_mine, "mine the interaction log into rewrites and print what changed")
    p.add_argument("--json", help="write what changed as JSON here")
    p.add_argument("--min-users", type=int, default=3, help="distinct users a global rewrite needs (default 3)")
    p.add_argument("--min-share", type=float, default=0.3,
                   help="... and this share of the users who said its source (default 0.3)")
    p = add("rewrites", cmd_rewrites, "list rewrites with support, wins, losses and state")
    p.add_argument("--user", help="also list this user's personal rewrites")
    p.add_argument("--json", help="write them as JSON here")
    p.add_argument("--block", type=int, metavar="ID", help="block this rewrite for good (mining leaves it blocked)")
    p = add("analyze", cmd_analyze, "defect analytics: goal success, failure points, top failing utterances")
    from assistant.analytics.command import add_arguments as add_analyze_arguments

    add_analyze_arguments(p)
    from assistant.selflearn.command import add_arguments as add_learn_nlu_arguments

    add_learn_nlu_arguments(add("learn-nlu", cmd_learn_nlu,
                                "label the logged traffic and write the learned NLU file (--dry-run: only show it)"))
    from assistant.modelstore.command import add_arguments as add_models_arguments

    add_models_arguments(add("models", cmd_models, "the kept models with their figures; --use ID rolls back"))
    from assistant.habits_command import add_habits_arguments, add_infer_arguments

    add_infer_arguments(add("infer", cmd_infer, "infer implicit preferences and routines from the interaction log"))
    add_habits_arguments(add("habits", cmd_habits, "a user's inferred preferences, taught phrases and routines"))
    from assistant.service.commands import add_serve_arguments, add_tokens_arguments

    add_serve_arguments(add("serve", cmd_serve, "the HTTP service for households' devices (Rasa's server)"))
    add_tokens_arguments(add("tokens", cmd_tokens, "a household's API tokens: create --home NAME, list, revoke ID"))
    from assistant.evaluation.serve_load import add_arguments as add_bench_serve_arguments

    add_bench_serve_arguments(add("bench-serve", cmd_bench_serve,
                                  "load on 1 or 2 servers sharing PostgreSQL and Redis (loopback; --kill)"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = Path(getattr(args, "data_dir", DEFAULT_DATA_DIR))
    args.verbose = getattr(args, "verbose", False)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from assistant.context import BadUserIdError, UnknownDeviceError
    from assistant.runtime import RuntimeStartError, quiet_logs
    from assistant.training import TrainingError

    quiet_logs(args.verbose)
    try:
        return int(args.func(args))
    except (RuntimeStartError, TrainingError, UnknownDeviceError, BadUserIdError,
            ConnectionError) as error:
        return _error(str(error))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - a clear line instead of a traceback
        if args.verbose:
            raise
        name = type(error).__name__
        if name == "HomeFileError":
            return _error(str(error))
        return _error(f"{name}: {error} (run with --verbose for details)")


if __name__ == "__main__":
    sys.exit(main())
