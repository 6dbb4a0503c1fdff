"""The `assistant` argument parser: the command-line contract in DESIGN.md."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

from assistant.cli.commands import (
    cmd_analyze,
    cmd_bench,
    cmd_bench_serve,
    cmd_build_models,
    cmd_chat,
    cmd_demo,
    cmd_eval_nlu,
    cmd_eval_teachable,
    cmd_fuzz,
    cmd_habits,
    cmd_infer,
    cmd_learn_nlu,
    cmd_mine,
    cmd_models,
    cmd_prefs,
    cmd_rasa_shell,
    cmd_rewrites,
    cmd_serve,
    cmd_simulate,
    cmd_test_stories,
    cmd_tokens,
    cmd_train,
)
from assistant.cli.common import SHARED_DATA
from assistant.paths import DEFAULT_DATA_DIR


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
    p.add_argument("--without", action="append", default=[], metavar="LAYER",
                   choices=["teachable", "precomputed", "global", "personal", "explore", "nlu_learning",
                            "phrase_rules", "global_repair", "personal_repair", "personal_phrase_rules"],
                   help="switch one learning layer off in every arm of the run (repeatable), to measure "
                        "its share: e.g. --arm global --without phrase_rules")
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
    p.add_argument("--asr", choices=["speech", "confusions"], default=None,
                   help="how simulated users are heard: a real TTS voice and recogniser (speech, the "
                        "default for a population), or the confusion table (fast); a scenario sends its "
                        "words as written unless --asr is given")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="with --arm all: play the arms in N processes at once, each on a copy of the model "
                        "(default: one per core); with --arm baseline or teachable, whose users learn nothing "
                        "from each other: play its users in N processes (default: one); the figures are "
                        "those of one process")
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
    p.add_argument("--conversation-turns", type=int, default=120,
                   help="also play one conversation this long: its last turns beside its first (0: skip)")
    add("test-stories", cmd_test_stories, "rasa test core on the test stories (the gate's copy, lab/data/guard/test_stories)")
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
    from assistant.cli.habits import add_habits_arguments, add_infer_arguments

    add_infer_arguments(add("infer", cmd_infer, "infer implicit preferences and routines from the interaction log"))
    add_habits_arguments(add("habits", cmd_habits, "a user's inferred preferences, taught phrases and routines"))
    from assistant.service.commands import add_serve_arguments, add_tokens_arguments

    add_serve_arguments(add("serve", cmd_serve, "the HTTP service for households' devices (Rasa's server)"))
    add_tokens_arguments(add("tokens", cmd_tokens, "a household's API tokens: create --home NAME, list, revoke ID"))
    from lab.evaluation.serve_load import add_arguments as add_bench_serve_arguments

    add_bench_serve_arguments(add("bench-serve", cmd_bench_serve,
                                  "load on 1 or 2 servers sharing PostgreSQL and Redis (loopback; --kill)"))
    from lab.shipped import add_arguments as add_build_models_arguments

    add_build_models_arguments(add("build-models", cmd_build_models,
                                   "lab: rebuild the shipped failure-point and label models from seeded simulations"))
    return parser
