"""Starting the stack for a command: stores checked, the model trained when stale, then the runtime.

The `assistant` commands and the simulator's population command share it (below the command
line, so the simulator never imports `assistant.cli`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assistant.paths import DataDir

if TYPE_CHECKING:
    from assistant.runtime import Runtime


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def train(args: argparse.Namespace) -> int:
    """`assistant train`: the Rasa model (skipped when current, unless ``args.force``). Nothing is
    simulated: the analytics and label models ship with the package (`assistant.shipped`)."""
    from assistant import training

    console = _console()
    data = DataDir(args.data_dir)
    if not args.force and training.is_current(data):
        console.print(f"Model is up to date: {data.model_file}")
    else:
        with console.status("Training the Rasa model (about a minute).") as status:
            outcome = training.train(
                data, force=args.force, verbose=args.verbose,
                status=lambda line: status.update(f"Training the Rasa model: {line}"),
            )
        console.print(f"Trained {outcome.model} in {outcome.seconds:.0f} s")
    return 0


def ensure_model(args: argparse.Namespace) -> None:
    """Train first when the model is missing or stale (the chat and demo must just work)."""
    from assistant import training

    data = DataDir(args.data_dir)
    if not training.is_current(data):
        train(argparse.Namespace(**{**vars(args), "force": False}))


def start_runtime(args: argparse.Namespace, home: Any = None) -> Runtime:
    """The runtime on ``args.data_dir`` (a damaged store is named before any training or loading);
    "forget everything about me" forgets the user everywhere (`assistant.privacy`)."""
    from assistant.privacy import forget_everywhere
    from assistant.runtime import Runtime, check_stores

    check_stores(DataDir(args.data_dir))
    ensure_model(args)
    with _console().status("Starting the action server and loading the model..."):
        return Runtime.start(args.data_dir, home, verbose=args.verbose, forget=forget_everywhere)
