"""`assistant models [--use ID] [--json OUT]`: the kept models and their figures; roll back."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from assistant.paths import DataDir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--use", metavar="ID", help="make this kept model the current one again (rollback)")
    parser.add_argument("--json", type=Path, help="write the list as JSON here")


def run_models(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from assistant.modelstore import history

    console = Console()
    data = DataDir(Path(args.data_dir))
    if args.use:
        try:
            entry = history.use(data, args.use)
        except history.HistoryError as error:
            console.print(f"[red]error:[/red] {error}")
            return 2
        console.print(f"Now serving {entry.id} (trained {entry.created}); a running chat or "
                      "server picks it up at its next turn.")
        return 0
    entries = history.entries(data)
    if args.json:
        args.json.write_text(json.dumps([asdict(e) for e in entries], indent=2), encoding="utf-8")
    if not entries:
        console.print("No models kept yet: the history starts with the first promoted retrain "
                      "(`assistant learn-nlu`).")
        return 0
    from assistant.training import stored_fingerprint

    current = stored_fingerprint(data)
    table = Table(title=f"Models in {data.model_history}")
    for column in ("id", "created", "learned examples", "users", "guard accuracy", "conversations failed", "note"):
        table.add_column(column)
    for e in entries:
        guard = (e.figures or {}).get("guard") or {}
        accuracy = guard.get("intent_accuracy")
        failed = guard.get("failed_conversations")
        table.add_row(("* " if e.fingerprint == current else "") + e.id, e.created,
                      str(e.training.get("learned_examples", "-")), str(len(e.learned_users)),
                      f"{accuracy:.1%}" if isinstance(accuracy, float) else "-",
                      ", ".join(failed) if failed else ("0" if failed is not None else "-"), e.note[:60])
    console.print(table)
    console.print("* = the current model.  `assistant models --use ID` rolls back.")
    return 0

