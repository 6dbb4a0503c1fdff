"""`assistant mine` and `assistant rewrites`: the command-line side of rewrite mining."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from assistant.paths import DataDir

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from assistant.learning.rewrites import Rewrite

EXIT_OK, EXIT_FAIL = 0, 1
_STAGES = {"read": "Reading the interaction log", "embed": "Embedding utterances (MiniLM)",
           "solve": "Solving the Markov chain and storing the rewrites"}


def _console() -> "Console":
    from rich.console import Console

    return Console(highlight=False)


def _error(message: str) -> int:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    return EXIT_FAIL


def _write_json(path: str | None, payload: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _pairs_table(title: str, rewrites: Sequence["Rewrite"], *, outcomes: bool = False) -> "Table":
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    columns = ["id", "scope", "user", "origin", "source", "target", "support", "probability"]
    if outcomes:
        columns += ["wins", "losses", "state", "supported by"]
    for column in columns:
        table.add_column(column, justify="right" if column in ("support", "probability", "wins", "losses")
                         else "left", overflow="fold")
    for r in rewrites:
        row = ["" if r.id is None else str(r.id), r.scope, "" if r.is_global else r.user_id,
               r.origin.value, r.source, r.target, str(r.support), f"{r.probability:.2f}"]
        if outcomes:
            state = r.state.value + (f" ({r.reason})" if r.reason else "")
            row += [str(r.wins), str(r.losses), state, ", ".join(r.supporters)]
        table.add_row(*row)
    return table


def run_mine(args: argparse.Namespace) -> int:
    """Mine the interaction log into rewrites and print what changed."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.learning.log import InteractionLog, InteractionLogError
    from assistant.learning.mining import MiningError, mine
    from assistant.learning.rewrites import RewriteStore, RewriteStoreError

    console = _console()
    url = DataDir(Path(args.data_dir)).learning_url
    try:
        with InteractionLog.open(url) as log, RewriteStore.open(url) as store:
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                task = bar.add_task(_STAGES["read"], total=None)

                def progress(stage: str, done: int, total: int | None) -> None:
                    bar.update(task, description=_STAGES.get(stage, stage), completed=done, total=total)

                report = mine(log, store, _mine_config(args), progress=progress)
    except (MiningError, InteractionLogError, RewriteStoreError, ValueError) as error:
        return _error(str(error))
    if report.turns == 0:
        console.print("The interaction log is empty: nothing to mine yet. Talk to the assistant "
                      "(or run a simulation) first.")
    else:
        if report.added:
            console.print(_pairs_table(f"New rewrites ({len(report.added)})", report.added))
        if report.updated:
            console.print(_pairs_table(f"Updated rewrites ({len(report.updated)})", report.updated))
        if report.retired:
            console.print(_pairs_table(f"Retired rewrites ({len(report.retired)}: no longer mined)",
                                       report.retired))
        if not (report.added or report.updated or report.retired):
            console.print("No change to the rewrite table.")
        if report.refused:
            console.print(_refused_table(report.refused))
        if report.phrase_added:
            console.print(_pairs_table(f"New phrase rules ({len(report.phrase_added)})", report.phrase_added))
        if report.phrase_retired:
            console.print(_pairs_table(f"Retired phrase rules ({len(report.phrase_retired)}: no longer mined)",
                                       report.phrase_retired))
        if report.phrases is not None and report.phrases.refused:
            console.print(_refused_table([{**item, "verdict": "phrase"} for item in report.phrases.refused],
                                         title="Phrase rules kept out"))
    console.print(report.summary())
    _write_json(getattr(args, "json", None), report.to_json())
    return EXIT_OK


def _mine_config(args: argparse.Namespace) -> Any:
    from assistant.learning.mining import MineConfig

    return MineConfig.of(min_users=int(getattr(args, "min_users", None) or 3),
                         min_share=float(getattr(args, "min_share", None) or 0.3))


def _refused_table(refused: Sequence[dict[str, Any]], title: str = "Kept out of the global table") -> "Table":
    from rich.table import Table

    table = Table(title=f"{title} ({len(refused)})", title_justify="left")
    for column in ("source", "target", "why", "supported by"):
        table.add_column(column, overflow="fold")
    for item in refused:
        table.add_row(item["source"], item["target"], f"{item['verdict']}: {item['reason']}",
                      ", ".join(item["users"]))
    return table


def run_rewrites(args: argparse.Namespace) -> int:
    """List the global rewrites and, with --user, that user's; ``--block ID`` blocks one first."""
    from assistant.learning.rewrites import RewriteStore, RewriteStoreError

    user = getattr(args, "user", None)
    url = DataDir(Path(args.data_dir)).learning_url
    block = getattr(args, "block", None)
    if block is not None:
        try:
            with RewriteStore.open(url) as store:
                blocked = store.block(int(block))
        except RewriteStoreError as error:
            return _error(str(error))
        _console().print(f"Blocked rewrite {blocked.id}: {blocked.source!r} -> {blocked.target!r} "
                         f"({blocked.scope}); it no longer applies and mining leaves it blocked.")
    try:
        with RewriteStore.open(url) as store:
            rewrites = [r for r in store.all(user_id=user) if user is not None or r.is_global]
    except RewriteStoreError as error:
        return _error(str(error))
    _write_json(getattr(args, "json", None),
                {"user": user, "rewrites": [r.to_json() for r in rewrites]})
    console = _console()
    if not rewrites:
        whose = f"global or for {user!r}" if user else "global"
        console.print(f"No {whose} rewrites yet: run `assistant mine` after some conversations.")
        return EXIT_OK
    active = sum(1 for r in rewrites if r.state.value == "active")
    phrases = [r for r in rewrites if r.origin.value == "phrase"]
    whole = [r for r in rewrites if r.origin.value != "phrase"]
    if whole:
        title = "Rewrites" + (f" (global and {user}'s)" if user else " (global)")
        console.print(_pairs_table(title, whole, outcomes=True))
    if phrases:
        console.print(_pairs_table("Phrase rules (a span rewritten inside any request: everybody's, or the "
                                   "user's own)", phrases, outcomes=True))
    wins, losses = sum(r.wins for r in rewrites), sum(r.losses for r in rewrites)
    console.print(f"{len(rewrites)} rewrites ({len(phrases)} phrase rules), {active} active; "
                  f"{wins} wins, {losses} losses.")
    return EXIT_OK
