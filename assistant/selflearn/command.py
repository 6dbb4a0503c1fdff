"""`assistant learn-nlu`: labels the logged traffic (`assistant.selflearn.night`), writes (or,
with --dry-run, only shows) what the learned NLU file gains, and retrains behind the gate when it
changed: the gated retrain is GIVEN by the caller (the CLI passes `assistant.modelstore.retrain`
with the lab's gate as its judge), so self-learning never imports the model store (which reads
the learned file) nor the lab. Without one, nothing is retrained and it says so.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable

from assistant.paths import DataDir

EXIT_OK, EXIT_FAIL = 0, 1
NOT_RETRAINED = "Nothing was retrained: {why}."
# The gated retrain: ``retrain(data, say=...)`` -> an outcome with ``promoted``, ``reasons``,
# ``figures``, ``model_id`` and ``seconds`` (`assistant.modelstore.retrain.retrain` with a judge).
GatedRetrain = Callable[..., Any]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show what would be learned; write nothing")
    parser.add_argument("--json", help="write the labels and figures as JSON here")
    parser.add_argument("--min-confidence", type=float, default=None,
                        help="accept labels at or above this confidence only (default: the label model's "
                             "thresholds, and at least 0.9 for the learned file)")
    parser.add_argument("--max-user-share", type=float, default=0.2,
                        help="the largest share of an intent's learned examples one user may back (default 0.2)")
    parser.add_argument("--similarity", choices=["minilm", "tokens"], default="minilm",
                        help="how turns are compared: MiniLM (default) or token overlap")
    parser.add_argument("--limit", type=int, default=30, help="rows of the table (default 30)")
    parser.add_argument("--no-retrain", action="store_true",
                        help="write the learned file only; don't retrain behind the gate")


def run_learn_nlu(args: argparse.Namespace, retrain: GatedRetrain | None = None) -> int:
    """The command; returns the exit status. ``retrain``: the gated retrain run when the learned
    file changed (None: nothing is retrained)."""
    from rich.console import Console

    from assistant.learning.log import InteractionLog, InteractionLogError

    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False)
    data = DataDir(args.data_dir)
    if (missing := data.missing_log()) is not None:
        errors.print(f"[bold red]error:[/] {missing}")
        return EXIT_FAIL
    started = time.perf_counter()
    try:
        with InteractionLog.open(data.learning_url) as log:
            records = list(log.turns())
            skipped = log.skipped_rows
    except InteractionLogError as error:
        errors.print(f"[bold red]error:[/] {error}")
        return EXIT_FAIL
    if skipped:
        console.print(f"[yellow]{skipped} corrupt row(s) of the log skipped[/]")
    report: dict[str, Any] = {"turns": len(records), "skipped_rows": skipped, "labels": [], "promoted": False,
                              "reason": NOT_RETRAINED.format(why="nothing new was learned"), "guard": {},
                              "dry_run": bool(args.dry_run)}
    if not records:
        console.print("The interaction log is empty: nothing to learn.")
        _write_json(args, report)
        return EXIT_OK
    report.update(learn(records, data, args, console, errors))
    if not report.get("failed"):
        report.update(retrain_if_new(data, report, args, console, errors, retrain))
    report["seconds"] = round(time.perf_counter() - started, 2)
    _write_json(args, report)
    return EXIT_FAIL if report.get("failed") else EXIT_OK


def learn(records: list, data: DataDir, args: argparse.Namespace, console: Any, errors: Any) -> dict[str, Any]:
    """Label the records, merge into the learned file (unless a dry run), print what is new."""
    from assistant.analytics.command import _similarity
    from assistant.selflearn import night

    with console.status(f"Labelling {len(records)} turns..."):
        done = night.learn(records, data, similarity=_similarity(args.similarity, errors),
                           min_confidence=args.min_confidence, max_user_share=args.max_user_share,
                           dry_run=args.dry_run)
    for note in done.notes:
        console.print(f"[yellow]{note}[/]")
    if not done.corrections:
        console.print("No failed turn whose goal later succeeded: no corrections to learn (self-labels only).")
    if done.unreadable is not None:
        errors.print(f"[bold red]the learned file is unreadable:[/] {done.unreadable}")
        if done.backup is not None:
            errors.print(f"Kept it as {done.backup}; a new learned file starts from this log.")
        else:
            errors.print("Nothing is written in a dry run; without --dry-run it is kept aside and replaced.")
    _table(done, console, args.limit)
    written = str(done.written) if done.written else None
    where = "nothing written (dry run)" if args.dry_run else f"written to {written}" if written else "unchanged"
    console.print(f"{len(done.labels)} labels accepted ({done.method}) from {done.candidates} "
                  f"candidates; learned file: {len(done.examples)} examples, {len(done.added)} new, "
                  f"{len(done.updated)} with more support; {where}.")
    if done.dropped:
        console.print("Left out: " + ", ".join(f"{n} {why}" for why, n in done.dropped.most_common() if n))
    return {"labels": [{"text": e.markup(), "intent": e.intent, "confidence": round(e.confidence, 4),
                        "users": sorted(e.users), "turns": sorted(e.turns), "new": e in done.added}
                       for e in (*done.added, *done.updated)],
            "accepted": len(done.labels), "candidates": done.candidates, "method": done.method,
            "thresholds": done.thresholds, "examples": len(done.examples), "new": len(done.added),
            "updated": len(done.updated), "dropped": dict(done.dropped), "learned_file": str(data.learned_nlu),
            "written": written, "backup": str(done.backup) if done.backup else None, "notes": done.notes}


def retrain_if_new(data: DataDir, report: dict[str, Any], args: argparse.Namespace, console: Any,
                   errors: Any, retrain: GatedRetrain | None = None) -> dict[str, Any]:
    """Retrain behind the gate (``retrain``) when the learned file changed; the current model
    keeps serving when the candidate is worse or training fails."""
    from assistant.selflearn.learned import LearnedFileError
    from assistant.training import TrainingError

    if args.dry_run or args.no_retrain or not report.get("written") or retrain is None:
        why = ("dry run" if args.dry_run else "--no-retrain" if args.no_retrain
               else "the learned file did not change" if not report.get("written")
               else "no gated retrain was given (`assistant learn-nlu` retrains behind the lab's gate)")
        console.print(NOT_RETRAINED.format(why=why))
        return {"reason": NOT_RETRAINED.format(why=why)}
    try:
        outcome = retrain(data, say=lambda line: console.print(f"[dim]{line}[/]"))
    except (LearnedFileError, TrainingError, RuntimeError) as error:
        errors.print(f"[bold red]the retrain failed; the current model keeps serving:[/] {error}")
        return {"promoted": False, "reason": str(error), "failed": True}
    figures = outcome.figures or {}
    cand, cur = figures.get("candidate") or {}, figures.get("current") or {}
    if outcome.promoted:
        console.print(f"[green]Promoted[/] model {outcome.model_id} in {outcome.seconds:.0f} s: guard accuracy "
                      f"{cur.get('intent_accuracy', 0):.1%} -> {cand.get('intent_accuracy', 0):.1%}; "
                      "a running chat or server serves it from its next turn (`assistant models` to roll back).")
    else:
        console.print("[yellow]Kept the current model:[/] " + "; ".join(outcome.reasons))
    return {"promoted": outcome.promoted, "reason": "; ".join(outcome.reasons) or "passed the gate",
            "guard": figures, "model_id": outcome.model_id, "retrain_seconds": round(outcome.seconds, 1)}


def _table(merged: Any, console: Any, limit: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    rows = [(e, "new") for e in merged.added] + [(e, "more support") for e in merged.updated]
    if not rows:
        console.print("Nothing new to learn.")
        return
    table = Table(title="What the learned NLU file gains")
    for name in ("text", "intent", "confidence", "users", "turns", ""):
        table.add_column(name)
    for example, what in sorted(rows, key=lambda r: -r[0].confidence)[:limit]:
        table.add_row(escape(example.markup()), example.intent, f"{example.confidence:.2f}",
                      escape(", ".join(sorted(example.users)[:3])) + (" ..." if len(example.users) > 3 else ""),
                      str(len(example.turns)), what)
    console.print(table)
    if len(rows) > limit:
        console.print(f"... and {len(rows) - limit} more (--json for all)")


def _write_json(args: argparse.Namespace, report: dict[str, Any]) -> None:
    target = getattr(args, "json", None)
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps(report, indent=2, default=str) + "\n")
